package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mcpClientDir holds the MCP client of these tests: the official
// TypeScript SDK, installed with npm ci from package-lock.json.
const mcpClientDir = "testdata/mcpclient"

var installClient = sync.OnceValue(func() error {
	if _, err := os.Stat(filepath.Join(mcpClientDir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err == nil {
		return nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--silent")
	cmd.Dir = mcpClientDir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return &exec.Error{Name: "npm ci: " + strings.TrimSpace(string(out)), Err: err}
	}
	return nil
})

// toolResult is a tools/call outcome as client.mjs records it: the result,
// or the error the SDK threw.
type toolResult struct {
	Result *struct {
		IsError           bool              `json:"isError"`
		Content           []json.RawMessage `json:"content"`
		StructuredContent map[string]any    `json:"structuredContent"`
	} `json:"result"`
	Error string `json:"error"`
}

// text returns the text of the result's first content block.
func (r toolResult) text() string {
	if r.Result == nil || len(r.Result.Content) == 0 {
		return ""
	}
	var c struct{ Text string }
	json.Unmarshal(r.Result.Content[0], &c)
	return c.Text
}

// clientRun is what client.mjs saw.
type clientRun struct {
	WrongKey *struct {
		Error string `json:"error"`
	} `json:"wrongKey"`
	Server struct{ Name, Version string } `json:"server"`
	Tools  []struct {
		Name         string         `json:"name"`
		InputSchema  map[string]any `json:"inputSchema"`
		OutputSchema map[string]any `json:"outputSchema"`
	} `json:"tools"`
	Output, ExitCode, Timeout, Rejected, Check, TestEval toolResult
	Progress                                             []struct{ Progress, Total float64 }
	BadArgs                                              map[string]toolResult
	Contexts                                             map[string]toolResult
	Concurrent                                           []toolResult
}

// runMCPClient runs client.mjs with args and decodes what it saw.
func runMCPClient(t *testing.T, args ...string) clientRun {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: the MCP client tests need Node.js and npm")
	}
	require.NoError(t, installClient())
	cmd := exec.Command("node", append([]string{"client.mjs"}, args...)...)
	cmd.Dir = mcpClientDir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "client.mjs: %s", stderr.String())
	var run clientRun
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &run), "client.mjs printed %s", stdout.String())
	return run
}

func TestMCPClientStdio(t *testing.T) {
	run := runMCPClient(t, "stdio", wasmboxBin, "mcp", "--timeout", "60s", "--max-concurrency", "4")
	checkMCPRun(t, run)
}

func TestMCPClientHTTP(t *testing.T) {
	s := startServe(t, "--api-key", "k3y", "--timeout", "60s", "--max-concurrency", "4")
	run := runMCPClient(t, "http", s.base+"/mcp", "k3y")
	checkMCPRun(t, run)
	require.NotNil(t, run.WrongKey)
	assert.Contains(t, run.WrongKey.Error, "Unauthorized")
}

// checkMCPRun checks what client.mjs saw, the same on every transport.
func checkMCPRun(t *testing.T, run clientRun) {
	t.Run("handshake", func(t *testing.T) {
		assert.Equal(t, "wasmbox", run.Server.Name)
		assert.Equal(t, version, run.Server.Version)
	})
	t.Run("tools and schemas", func(t *testing.T) {
		names := []string{}
		for _, tool := range run.Tools {
			names = append(names, tool.Name)
			assert.Equal(t, "object", tool.InputSchema["type"], tool.Name)
			assert.Equal(t, "object", tool.OutputSchema["type"], tool.Name)
			assert.NotEmpty(t, tool.OutputSchema["properties"], tool.Name)
			if tool.Name == "run_python" {
				assert.Contains(t, tool.InputSchema["properties"], "context")
			}
		}
		assert.ElementsMatch(t, []string{"run_python", "check_python", "test_eval"}, names)
	})
	results := []struct {
		name    string
		got     toolResult
		isError bool
		fields  map[string]any
	}{
		{"output", run.Output, false, map[string]any{"stdout": "42\n", "exitCode": 0.0, "success": true}},
		{"exit code", run.ExitCode, true, map[string]any{"exitCode": 3.0, "success": false}},
		{"timeout", run.Timeout, true, map[string]any{"exitCode": 124.0, "timedOut": true}},
		{"policy rejection", run.Rejected, true, map[string]any{"exitCode": 126.0}},
		{"check", run.Check, true, map[string]any{"ok": false}},
		{"eval tests", run.TestEval, true, map[string]any{"total": 3.0, "passed": 2.0, "failed": 1.0, "success": false}},
	}
	for _, r := range results {
		t.Run(r.name, func(t *testing.T) {
			require.NotNil(t, r.got.Result, "error: %s", r.got.Error)
			assert.Equal(t, r.isError, r.got.Result.IsError)
			for k, v := range r.fields {
				assert.Equal(t, v, r.got.Result.StructuredContent[k], k)
			}
		})
	}
	t.Run("contexts", func(t *testing.T) { checkMCPContexts(t, run.Contexts) })
	t.Run("violations", func(t *testing.T) {
		require.NotNil(t, run.Rejected.Result)
		v, _ := run.Rejected.Result.StructuredContent["violations"].([]any)
		require.Len(t, v, 1)
		assert.Equal(t, "socket", v[0].(map[string]any)["name"])
	})
	t.Run("progress", func(t *testing.T) {
		// The server sends one notification a case (internal/service/mcp's
		// in-memory test counts them exactly); through the TypeScript
		// client over stdio one went missing in about one run of ten, so
		// here the notifications that arrive must count cases, in order.
		require.NotEmpty(t, run.Progress, "progress notifications")
		require.LessOrEqual(t, len(run.Progress), 3, "at most one notification a case")
		last := 0.0
		for _, p := range run.Progress {
			assert.Greater(t, p.Progress, last, "progress counts up")
			assert.LessOrEqual(t, p.Progress, 3.0)
			assert.Equal(t, 3.0, p.Total)
			last = p.Progress
		}
	})
	t.Run("bad arguments", func(t *testing.T) {
		for name, says := range map[string]string{
			"noCode": `missing properties: ["code"]`, "codeNotString": "/properties/code",
			"unknownPolicy": "/properties/policy", "negativeTimeout": "/properties/timeout_seconds",
			"badCases": `unknown key "expect"`,
		} {
			got := run.BadArgs[name]
			require.NotNil(t, got.Result, "%s: error %s", name, got.Error)
			assert.True(t, got.Result.IsError, name)
			assert.Contains(t, got.text(), says, name)
			assert.Nil(t, got.Result.StructuredContent, name)
		}
		assert.Contains(t, run.BadArgs["unknownTool"].Error, `unknown tool "run_ruby"`)
	})
	t.Run("8 concurrent calls", func(t *testing.T) {
		require.Len(t, run.Concurrent, 8)
		for i, got := range run.Concurrent {
			require.NotNil(t, got.Result, "call %d: %s", i, got.Error)
			assert.Equal(t, strconv.Itoa(i*i)+"\n", got.Result.StructuredContent["stdout"], "call %d", i)
		}
	})
}

// checkMCPContexts checks the run_python calls that named a context, as
// client.mjs made them.
func checkMCPContexts(t *testing.T, got map[string]toolResult) {
	// result returns the call's structured content, and whether it was an
	// error.
	result := func(t *testing.T, name string) (map[string]any, bool) {
		t.Helper()
		r := got[name]
		require.NotNil(t, r.Result, "%s: error %s", name, r.Error)
		return r.Result.StructuredContent, r.Result.IsError
	}
	// texts are the text forms of an execution's results.
	texts := func(x map[string]any) []any {
		out := []any{}
		results, _ := x["results"].([]any)
		for _, r := range results {
			out = append(out, r.(map[string]any)["text"])
		}
		return out
	}
	errorOf := func(x map[string]any) map[string]any {
		e, _ := x["error"].(map[string]any)
		return e
	}
	t.Run("state lasts", func(t *testing.T) {
		set, isError := result(t, "set")
		assert.False(t, isError)
		assert.Equal(t, map[string]any{"name": "ts-a", "created": true}, set["context"])
		next, isError := result(t, "next")
		assert.False(t, isError)
		assert.Equal(t, []any{"42"}, texts(next))
		assert.Equal(t, map[string]any{"name": "ts-a", "created": false}, next["context"])
		assert.Equal(t, 2.0, next["executionCount"])
	})
	t.Run("isolated", func(t *testing.T) {
		other, isError := result(t, "other")
		assert.True(t, isError)
		assert.Equal(t, "NameError", errorOf(other)["name"])
		assert.Equal(t, true, other["context"].(map[string]any)["created"])
	})
	t.Run("exception", func(t *testing.T) {
		raised, isError := result(t, "raised")
		assert.True(t, isError)
		assert.Equal(t, "ZeroDivisionError", errorOf(raised)["name"])
		assert.Equal(t, 2.0, errorOf(raised)["lineNumber"])
		assert.Equal(t, []any{"before\n"}, raised["logs"].(map[string]any)["stdout"])
	})
	t.Run("timeout loses the context", func(t *testing.T) {
		timeout, isError := result(t, "timeout")
		assert.True(t, isError)
		assert.Equal(t, "TimeoutError", errorOf(timeout)["name"])
		assert.Contains(t, errorOf(timeout)["message"], "the context's state was lost: a run passed its 500ms timeout and was stopped")
		assert.Contains(t, timeout["context"].(map[string]any)["lost"], `the next call naming "ts-a" starts a new context`)
		after, isError := result(t, "after")
		assert.True(t, isError)
		assert.Equal(t, true, after["context"].(map[string]any)["created"])
		assert.Equal(t, "NameError", errorOf(after)["name"])
	})
}

func TestMCPUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"argument", []string{"mcp", "extra"}, `unexpected argument "extra"`},
		{"unknown policy", []string{"mcp", "--policy", "lax"}, `unknown policy "lax"`},
		{"timeout above the maximum", []string{"mcp", "--timeout", "10m", "--max-timeout", "1m"}, "--timeout 10m0s is above --max-timeout 1m0s"},
		{"zero concurrency", []string{"mcp", "--max-concurrency", "0"}, "--max-concurrency must be positive"},
		{"bad output cap", []string{"mcp", "--max-output", "lots"}, "--max-output"},
		{"bad allowed import", []string{"mcp", "--allow-import", "a b"}, `invalid module name "a b"`},
		{"zero contexts", []string{"mcp", "--max-contexts", "0"}, "--max-contexts must be positive"},
		{"zero context TTL", []string{"mcp", "--context-ttl", "0s"}, "--context-ttl must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := cli(t, "", tt.args...)
			assert.Equal(t, exitUsage, status)
			assert.Empty(t, stdout, "stdout belongs to the protocol")
			assert.Contains(t, stderr, tt.says)
		})
	}
}
