package server

import (
	"context"
	"testing"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A code context of /mcp's run_python holds its memory and files of the
// host budget while it lives, and gives them back when the server closes.
func TestMCPContextHoldsHostMemory(t *testing.T) {
	const memory, files = 64 << 20, 4 << 20
	s, ts := newTestServer(t, Config{Memory: memory, SessionFSBytes: files, MaxHostMemory: 1 << 30})
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := client.Connect(context.Background(), &sdk.StreamableClientTransport{Endpoint: ts.URL + mcpPath}, nil)
	require.NoError(t, err)
	defer cs.Close()
	run := func(code string) *sdk.CallToolResult {
		res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "run_python",
			Arguments: map[string]any{"code": code, "context": "server-test"}})
		require.NoError(t, err)
		require.NotNil(t, res.StructuredContent, "content: %v", res.Content)
		return res
	}
	before := s.limiter.reserved()
	assert.False(t, run("x = 41").IsError)
	res := run("x + 1")
	assert.False(t, res.IsError)
	results, _ := res.StructuredContent.(map[string]any)["results"].([]any)
	require.Len(t, results, 1)
	assert.Equal(t, "42", results[0].(map[string]any)["text"])
	assert.Equal(t, before+memory+files, s.limiter.reserved(), "the live context's share")
	s.Close()
	assert.Equal(t, before, s.limiter.reserved(), "given back when the server closes")
}
