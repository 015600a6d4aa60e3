package mcp

import (
	"errors"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runIn calls run_python with code in the context name and decodes the
// result, which must have structured content.
func runIn(t *testing.T, cs *sdk.ClientSession, name, code string, extra map[string]any) (*sdk.CallToolResult, ContextRun) {
	t.Helper()
	args := map[string]any{"code": code, "context": name}
	for k, v := range extra {
		args[k] = v
	}
	var got ContextRun
	res := call(t, cs, "run_python", args, nil)
	decode(t, res, &got)
	return res, got
}

// texts are the text forms of an execution's results.
func texts(x ContextRun) []string {
	out := []string{}
	for _, r := range x.Results {
		out = append(out, r.Text)
	}
	return out
}

func TestRunPythonContextKeepsState(t *testing.T) {
	cs := connect(t, Config{}, nil)
	res, first := runIn(t, cs, "main", "x = 41\nprint('set')", nil)
	assert.False(t, res.IsError)
	assert.Equal(t, ContextInfo{Name: "main", Created: true}, first.Context)
	assert.Equal(t, 1, first.ExecutionCount)
	assert.Equal(t, []string{"set\n"}, first.Logs.Stdout)
	assert.Empty(t, first.Results)

	res, second := runIn(t, cs, "main", "x + 1", nil)
	assert.False(t, res.IsError)
	assert.Equal(t, ContextInfo{Name: "main"}, second.Context, "the same context, not a new one")
	assert.Equal(t, 2, second.ExecutionCount)
	assert.Equal(t, []string{"42"}, texts(second))
	assert.Equal(t, "x + 1", second.Code)
}

func TestRunPythonContextsAreIsolated(t *testing.T) {
	cs := connect(t, Config{Policy: "none"}, nil) // open is outside the strict policy
	runIn(t, cs, "a", "x = 'a'\nopen('/tmp/f', 'w').write('a')", nil)
	res, b := runIn(t, cs, "b", "x", nil)
	assert.True(t, res.IsError)
	assert.True(t, b.Context.Created)
	require.NotNil(t, b.Error)
	assert.Equal(t, "NameError", b.Error.Name)
	_, b = runIn(t, cs, "b", "open('/tmp/f').read()", nil)
	require.NotNil(t, b.Error, "each context has files of its own")
	assert.Equal(t, "FileNotFoundError", b.Error.Name)
	_, a := runIn(t, cs, "a", "x, open('/tmp/f').read()", nil)
	assert.Equal(t, []string{"('a', 'a')"}, texts(a))
	_, plain := runIn(t, cs, "a", "x", nil)
	assert.Equal(t, 3, plain.ExecutionCount)
}

func TestRunPythonContextError(t *testing.T) {
	cs := connect(t, Config{}, nil)
	runIn(t, cs, "main", "x = 1", nil)
	res, got := runIn(t, cs, "main", "print('before')\n1/0", nil)
	assert.True(t, res.IsError, "a cell that raised is an error")
	require.NotNil(t, got.Error)
	assert.Equal(t, "ZeroDivisionError", got.Error.Name)
	assert.Equal(t, "division by zero", got.Error.Message)
	assert.Equal(t, 2, got.Error.LineNumber)
	assert.NotEmpty(t, got.Error.Traceback)
	assert.Equal(t, []string{"before\n"}, got.Logs.Stdout)
	assert.Empty(t, got.Context.Lost, "an exception keeps the context")

	res, got = runIn(t, cs, "main", "x", nil)
	assert.False(t, res.IsError)
	assert.Equal(t, []string{"1"}, texts(got))
}

func TestRunPythonContextRejectedCell(t *testing.T) {
	cs := connect(t, Config{}, nil)
	runIn(t, cs, "main", "x = 1", nil)
	res, got := runIn(t, cs, "main", "import socket", nil)
	assert.True(t, res.IsError)
	require.NotNil(t, got.Error)
	assert.Equal(t, "PolicyViolation", got.Error.Name)
	assert.Contains(t, got.Error.Message, "the strict import policy rejected the cell, which did not run")
	assert.Contains(t, got.Error.Message, "socket")
	assert.Equal(t, 1, got.Error.LineNumber)
	assert.Equal(t, 1, got.ExecutionCount, "the rejected cell did not run")

	res, got = runIn(t, cs, "main", "x = (", nil)
	assert.True(t, res.IsError)
	require.NotNil(t, got.Error)
	assert.Equal(t, "SyntaxError", got.Error.Name, "a cell the check cannot parse")
	assert.Contains(t, got.Error.Message, "which did not run")

	res, got = runIn(t, cs, "main", "x + 1", nil)
	assert.False(t, res.IsError, "error: %+v", got.Error)
	assert.Equal(t, []string{"2"}, texts(got), "the context kept its state")
}

func TestRunPythonContextGuarded(t *testing.T) {
	cs := connect(t, Config{}, nil)
	runIn(t, cs, "main", "x = 41", nil)
	// The static check lets this through; the guard, armed in the
	// context, stops it.
	res, got := runIn(t, cs, "main", "import typing\ns = getattr(typing, 'sy' + 's')\ns.modules['os'].listdir('/')", nil)
	assert.True(t, res.IsError)
	require.NotNil(t, got.Error)
	assert.Equal(t, "AttributeError", got.Error.Name)
	assert.Equal(t, "attribute 'sys' is blocked by the wasmbox strict policy", got.Error.Message)
	assert.Equal(t, 2, got.Error.LineNumber)
	_, got = runIn(t, cs, "main", "x + 1", nil)
	assert.Equal(t, []string{"42"}, texts(got))
}

func TestRunPythonContextPolicyFixed(t *testing.T) {
	cs := connect(t, Config{}, nil)
	runIn(t, cs, "main", "x = 1", nil)
	res := call(t, cs, "run_python", map[string]any{"code": "import math\nmath.floor(x + 0.5)", "context": "main", "policy": "stdlib"}, nil)
	assert.True(t, res.IsError)
	assert.Nil(t, res.StructuredContent, "the cell did not run")
	msg := errorText(t, res)
	assert.Contains(t, msg, `context "main" runs under the strict policy`)
	assert.Contains(t, msg, "this call asks for the stdlib policy")
	res, got := runIn(t, cs, "main", "x + 1", map[string]any{"policy": "strict"})
	assert.False(t, res.IsError, "error: %+v", got.Error)
	assert.Equal(t, []string{"2"}, texts(got), "the context lives on")
	assert.Equal(t, 2, got.ExecutionCount)

	res, got = runIn(t, cs, "other", "import math\nmath.floor(1.5)", map[string]any{"policy": "stdlib"})
	assert.False(t, res.IsError, "error: %+v", got.Error)
	assert.True(t, got.Context.Created)
	assert.Equal(t, []string{"1"}, texts(got), "another context takes its first call's policy")
}

func TestRunPythonContextTimeoutLosesIt(t *testing.T) {
	cs, svc := connectService(t, Config{}, nil)
	runIn(t, cs, "main", "x = 1", nil)
	res, got := runIn(t, cs, "main", "while True: pass", map[string]any{"timeout_seconds": 0.5})
	assert.True(t, res.IsError)
	require.NotNil(t, got.Error)
	assert.Equal(t, "TimeoutError", got.Error.Name)
	assert.Contains(t, got.Error.Message, "the context's state was lost: a run passed its 500ms timeout and was stopped")
	assert.Contains(t, got.Context.Lost, "the context's state was lost")
	assert.Contains(t, got.Context.Lost, `the next call naming "main" starts a new context`)
	svc.contexts.mu.Lock()
	assert.Empty(t, svc.contexts.byName, "the lost context holds nothing")
	svc.contexts.mu.Unlock()

	res, got = runIn(t, cs, "main", "x", nil)
	assert.True(t, res.IsError)
	assert.True(t, got.Context.Created, "a new context")
	assert.Equal(t, 1, got.ExecutionCount)
	require.NotNil(t, got.Error)
	assert.Equal(t, "NameError", got.Error.Name)
}

func TestRunPythonContextIdleTTL(t *testing.T) {
	cs, svc := connectService(t, Config{ContextTTL: 100 * time.Millisecond}, nil)
	runIn(t, cs, "main", "x = 1", nil)
	require.Eventually(t, func() bool {
		svc.contexts.mu.Lock()
		defer svc.contexts.mu.Unlock()
		return len(svc.contexts.byName) == 0
	}, 10*time.Second, 10*time.Millisecond, "the idle context ends")
	_, got := runIn(t, cs, "main", "x", nil)
	assert.True(t, got.Context.Created)
	require.NotNil(t, got.Error, "a new context has no x")
	assert.Equal(t, "NameError", got.Error.Name)
}

func TestRunPythonContextCap(t *testing.T) {
	cs := connect(t, Config{MaxContexts: 2}, nil)
	runIn(t, cs, "a", "1", nil)
	runIn(t, cs, "b", "1", nil)
	res := call(t, cs, "run_python", map[string]any{"code": "1", "context": "c"}, nil)
	assert.Equal(t, `no room for context "c": this server keeps at most 2 code contexts, and holds "a", "b"; `+
		"name one of those, or wait until one has been idle for 10m0s and ends", errorText(t, res))
	assert.Nil(t, res.StructuredContent)
	res, got := runIn(t, cs, "b", "2", nil)
	assert.False(t, res.IsError, "a held name still runs")
	assert.Equal(t, []string{"2"}, texts(got))
}

func TestRunPythonContextBudget(t *testing.T) {
	refuse := errors.New("the host memory budget is full")
	var mu sync.Mutex
	var reserved []int64
	released := 0
	cs, svc := connectService(t, Config{Memory: 128 << 20, ContextFSBytes: 1 << 20, Reserve: func(n int64) (func(), error) {
		mu.Lock()
		defer mu.Unlock()
		reserved = append(reserved, n)
		if len(reserved) > 1 {
			return nil, refuse
		}
		return func() {
			mu.Lock()
			defer mu.Unlock()
			released++
		}, nil
	}}, nil)
	runIn(t, cs, "a", "1", nil)
	res := call(t, cs, "run_python", map[string]any{"code": "1", "context": "b"}, nil)
	assert.Equal(t, `context "b": no room for its memory and files: the host memory budget is full`, errorText(t, res))
	svc.Close()
	mu.Lock()
	assert.Equal(t, []int64{128<<20 + 1<<20, 128<<20 + 1<<20}, reserved, "each context holds its memory and its files")
	assert.Equal(t, 1, released, "closing gives the budget back")
	mu.Unlock()
	res = call(t, cs, "run_python", map[string]any{"code": "1", "context": "a"}, nil)
	assert.Contains(t, errorText(t, res), "the server is shutting down")
}

func TestRunPythonContextSameNameAtOnce(t *testing.T) {
	cs := connect(t, Config{}, nil)
	const n = 4
	args := make([]map[string]any, n)
	for i := range n {
		args[i] = map[string]any{"code": "try:\n    n += 1\nexcept NameError:\n    n = 1\nn", "context": "shared"}
	}
	created := 0
	var seen []string
	for _, res := range callAtOnce(t, cs, args) {
		var got ContextRun
		decode(t, res, &got)
		if got.Context.Created {
			created++
		}
		seen = append(seen, texts(got)...)
	}
	assert.Equal(t, 1, created, "one context for the name")
	assert.ElementsMatch(t, []string{"1", "2", "3", "4"}, seen, "the calls ran one after another in it")
}

func TestRunPythonContextBadName(t *testing.T) {
	cs := connect(t, Config{}, nil)
	for _, name := range []string{"a b", "-x", "../etc", string(make([]byte, 65))} {
		res := call(t, cs, "run_python", map[string]any{"code": "1", "context": name}, nil)
		assert.Contains(t, errorText(t, res), "context", "name %q", name)
		assert.Nil(t, res.StructuredContent)
	}
	res, got := runIn(t, cs, "data_1.v-2", "1", nil)
	assert.False(t, res.IsError)
	assert.Equal(t, "data_1.v-2", got.Context.Name)
}
