package mcp

import (
	"context"
	"sync"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

func TestToolsList(t *testing.T) {
	cs := connect(t, Config{}, nil)
	res, err := cs.ListTools(context.Background(), nil)
	require.NoError(t, err)
	byName := map[string]*sdk.Tool{}
	for _, tool := range res.Tools {
		byName[tool.Name] = tool
	}
	want := map[string]struct{ required, output []string }{
		"run_python":   {[]string{"code"}, []string{"success", "exitCode", "stdout", "stderr", "timedOut", "violations", "logs", "results", "error", "executionCount", "context"}},
		"check_python": {[]string{"code"}, []string{"ok", "violations"}},
		"test_eval":    {[]string{"eval_code", "test_cases"}, []string{"success", "total", "passed", "cases", "loadError"}},
	}
	assert.Len(t, byName, len(want))
	for name, w := range want {
		t.Run(name, func(t *testing.T) {
			tool := byName[name]
			require.NotNil(t, tool)
			in, ok := tool.InputSchema.(map[string]any)
			require.True(t, ok, "input schema is %T", tool.InputSchema)
			assert.Equal(t, "object", in["type"])
			assert.ElementsMatch(t, w.required, in["required"])
			out, ok := tool.OutputSchema.(map[string]any)
			require.True(t, ok, "output schema is %T", tool.OutputSchema)
			props, _ := out["properties"].(map[string]any)
			for _, p := range w.output {
				assert.Contains(t, props, p)
			}
		})
	}
	t.Run("run_python context", func(t *testing.T) {
		in, _ := byName["run_python"].InputSchema.(map[string]any)
		props, _ := in["properties"].(map[string]any)
		ctxArg, _ := props["context"].(map[string]any)
		require.NotNil(t, ctxArg, "a context argument")
		assert.Equal(t, contextNamePattern, ctxArg["pattern"])
		assert.Contains(t, ctxArg["description"], "up to 8 contexts")
	})
}

func TestRunPython(t *testing.T) {
	cs := connect(t, Config{}, nil)
	tests := []struct {
		name     string
		args     map[string]any
		exit     int
		isError  bool
		stdout   string
		timedOut bool
		rule     string
	}{
		{"output", map[string]any{"code": "print(6 * 7)"}, 0, false, "42\n", false, ""},
		{"exit code", map[string]any{"code": "raise SystemExit(3)"}, 3, true, "", false, ""},
		{"exception", map[string]any{"code": "raise ValueError('no')"}, 1, true, "", false, ""},
		{"timeout", map[string]any{"code": "while True: pass", "timeout_seconds": 0.5}, runtime.ExitTimeout, true, "", true, ""},
		{"rejected", map[string]any{"code": "import socket"}, runtime.ExitRejected, true, "", false, validate.RuleBlockedImport},
		{"policy named", map[string]any{"code": "import math\nprint(math.floor(2.5))", "policy": "stdlib"}, 0, false, "2\n", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got runtime.ExecResult
			res := call(t, cs, "run_python", tt.args, &got)
			assert.Equal(t, tt.isError, res.IsError)
			assert.Equal(t, tt.exit, got.ExitCode, "stderr: %s", got.Stderr)
			assert.Equal(t, tt.stdout, got.Stdout)
			assert.Equal(t, tt.timedOut, got.TimedOut)
			if tt.rule != "" {
				require.NotEmpty(t, got.Violations)
				assert.Equal(t, tt.rule, got.Violations[0].Rule)
			}
		})
	}
}

func TestCheckPython(t *testing.T) {
	cs := connect(t, Config{}, nil)
	var got CheckOutput
	res := call(t, cs, "check_python", map[string]any{"code": "import os\nos.system('x')"}, &got)
	assert.True(t, res.IsError)
	assert.False(t, got.OK)
	require.NotEmpty(t, got.Violations)
	assert.Equal(t, "os", got.Violations[0].Name)

	got = CheckOutput{}
	res = call(t, cs, "check_python", map[string]any{"code": "import json"}, &got)
	assert.False(t, res.IsError)
	assert.Equal(t, CheckOutput{OK: true, Violations: []validate.Violation{}}, got)
}

func TestBadArguments(t *testing.T) {
	cs := connect(t, Config{MaxTimeout: time.Minute}, nil)
	tests := []struct {
		name, tool string
		args       map[string]any
		says       string
	}{
		{"no code", "run_python", map[string]any{}, "code"},
		{"code not a string", "run_python", map[string]any{"code": 1}, "code"},
		{"unknown argument", "run_python", map[string]any{"code": "pass", "cwd": "/"}, "cwd"},
		{"unknown policy", "run_python", map[string]any{"code": "pass", "policy": "lax"}, "policy"},
		{"negative timeout", "run_python", map[string]any{"code": "pass", "timeout_seconds": -1}, "timeout_seconds"},
		{"timeout above the maximum", "run_python", map[string]any{"code": "pass", "timeout_seconds": 3600}, "timeout_seconds"},
		{"cases not an array", "test_eval", map[string]any{"eval_code": "", "test_cases": "x"}, "test_cases"},
		{"case with an unknown key", "test_eval", map[string]any{"eval_code": "", "test_cases": []any{map[string]any{"expect": 1}}}, "expect"},
		{"function not an identifier", "test_eval", map[string]any{"eval_code": "", "test_cases": []any{}, "function": "a-b"}, "a-b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := call(t, cs, tt.tool, tt.args, nil)
			assert.Contains(t, errorText(t, res), tt.says)
			assert.Nil(t, res.StructuredContent)
		})
	}
	_, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: "run_ruby", Arguments: map[string]any{}})
	assert.Error(t, err, "an unknown tool is a protocol error")
}

func TestTestEval(t *testing.T) {
	var mu sync.Mutex
	var progress []float64
	cs := connect(t, Config{Timeout: 2 * time.Second}, &sdk.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *sdk.ProgressNotificationClientRequest) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, req.Params.Progress)
		},
	})
	params := &sdk.CallToolParams{Name: "test_eval", Arguments: map[string]any{
		"eval_code": "def evaluate(x):\n    if x == 3:\n        while True: pass\n    return x * 2\n",
		"test_cases": []any{
			map[string]any{"name": "two", "input": 1, "expected": 2},
			map[string]any{"input": 2, "expected": 5},
			map[string]any{"input": 3, "expected": 6},
			map[string]any{"input": 4, "expected": 8},
		},
		"timeout_seconds": 0.5,
	}}
	params.SetProgressToken("eval-1")
	res, err := cs.CallTool(context.Background(), params)
	require.NoError(t, err)
	var rep runtime.TestReport
	decode(t, res, &rep)
	assert.True(t, res.IsError)
	assert.Equal(t, []int{4, 2, 1, 1}, []int{rep.Total, rep.Passed, rep.Failed, rep.TimedOut})
	require.Len(t, rep.Cases, 4)
	assert.Equal(t, "two", rep.Cases[0].Name)
	assert.Equal(t, "timeout", string(rep.Cases[2].Status))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(progress) == 4
	}, 10*time.Second, 10*time.Millisecond, "one progress notification a case")
	mu.Lock()
	assert.Equal(t, []float64{1, 2, 3, 4}, progress)
	mu.Unlock()

	t.Run("all pass", func(t *testing.T) {
		var rep runtime.TestReport
		res := call(t, cs, "test_eval", map[string]any{
			"eval_code": "def square(x):\n    return x * x\n", "function": "square",
			"test_cases": []any{map[string]any{"args": []any{3}, "expected": 9}},
		}, &rep)
		assert.False(t, res.IsError)
		assert.True(t, rep.Success)
	})
	t.Run("rejected", func(t *testing.T) {
		var rep runtime.TestReport
		res := call(t, cs, "test_eval", map[string]any{"eval_code": "import socket\ndef evaluate(x): return x", "test_cases": []any{map[string]any{"input": 1}}}, &rep)
		assert.True(t, res.IsError)
		require.NotEmpty(t, rep.Violations)
		assert.Equal(t, validate.RuleBlockedImport, rep.Violations[0].Rule)
	})
	t.Run("load error", func(t *testing.T) {
		var rep runtime.TestReport
		res := call(t, cs, "test_eval", map[string]any{"eval_code": "x = 1", "test_cases": []any{map[string]any{"input": 1}}}, &rep)
		assert.True(t, res.IsError)
		require.NotNil(t, rep.LoadError)
	})
}

func TestConcurrentCalls(t *testing.T) {
	cs := connect(t, Config{MaxConcurrency: 2}, nil)
	const n = 8
	args := make([]map[string]any, n)
	for i := range n {
		args[i] = map[string]any{"code": "print(" + string(rune('0'+i)) + ")"}
	}
	results := callAtOnce(t, cs, args)
	for i := range n {
		var got runtime.ExecResult
		decode(t, results[i], &got)
		assert.Equal(t, string(rune('0'+i))+"\n", got.Stdout)
	}
}
