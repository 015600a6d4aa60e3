package mcp

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/enginetest"
	"github.com/wasmbox/wasmbox/runtime"
)

// engine is shared by every test in the package: compiling is slow.
var engine *runtime.Engine

func TestMain(m *testing.M) { enginetest.Main(m, &engine) }

// runTimeout is the default timeout of the tests' services: generous, since
// `make test` runs packages side by side under the race detector.
const runTimeout = 60 * time.Second

// connect starts a service with cfg (Engine and a default Timeout set) on
// an in-memory transport and returns a client session to it.
func connect(t *testing.T, cfg Config, opts *sdk.ClientOptions) *sdk.ClientSession {
	t.Helper()
	cs, _ := connectService(t, cfg, opts)
	return cs
}

// connectService is connect that also returns the service, which the
// test closes at its end.
func connectService(t *testing.T, cfg Config, opts *sdk.ClientOptions) (*sdk.ClientSession, *Service) {
	t.Helper()
	cfg.Engine = engine
	if cfg.Timeout == 0 {
		cfg.Timeout = runTimeout
	}
	svc, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	serverT, clientT := sdk.NewInMemoryTransports()
	ctx, cancel := context.WithCancel(context.Background())
	ss, err := svc.Server().Connect(ctx, serverT, nil)
	require.NoError(t, err)
	client := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, opts)
	cs, err := client.Connect(ctx, clientT, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		cs.Close()
		ss.Wait()
		cancel()
	})
	return cs, svc
}

// call calls a tool and decodes its structured content into out (when the
// result has any).
func call(t *testing.T, cs *sdk.ClientSession, name string, args any, out any) *sdk.CallToolResult {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	require.NoError(t, err)
	if out != nil && res.StructuredContent != nil {
		decode(t, res, out)
	}
	return res
}

// callAtOnce calls run_python with each of args at the same time and
// returns the results in order.
func callAtOnce(t *testing.T, cs *sdk.ClientSession, args []map[string]any) []*sdk.CallToolResult {
	t.Helper()
	results := make([]*sdk.CallToolResult, len(args))
	errs := make([]error, len(args))
	var wg sync.WaitGroup
	for i, a := range args {
		wg.Go(func() {
			results[i], errs[i] = cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "run_python", Arguments: a})
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	return results
}

// decode decodes a result's structured content into out.
func decode(t *testing.T, res *sdk.CallToolResult, out any) {
	t.Helper()
	require.NotNil(t, res.StructuredContent, "no structured content: %v", res.Content)
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, out))
}

// errorText returns the text of an error result.
func errorText(t *testing.T, res *sdk.CallToolResult) string {
	t.Helper()
	require.True(t, res.IsError, "want an error result")
	require.NotEmpty(t, res.Content)
	text, ok := res.Content[0].(*sdk.TextContent)
	require.True(t, ok, "content is %T", res.Content[0])
	return text.Text
}
