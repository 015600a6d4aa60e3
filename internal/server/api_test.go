package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

func TestRun(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/run"

	t.Run("stdin and output", func(t *testing.T) {
		var res runtime.ExecResult
		r := do("POST", url, `{"code": "import json, sys\nprint(json.dumps([sys.stdin.read(), 2]))", "stdin": "hi", "policy": "none"}`)
		require.Equal(t, 200, r.status, "%s", r.body)
		r.decode(t, &res)
		assert.True(t, res.Success, "%s", r.body)
		assert.Equal(t, "[\"hi\", 2]\n", res.Stdout)
		assert.NotNil(t, res.Violations, "violations are [] not null")
	})

	// Rejected by the strict policy: exit 126 with the violations; the
	// stdlib policy and allowImports let it through.
	t.Run("rejected", func(t *testing.T) {
		var res runtime.ExecResult
		do("POST", url, `{"code": "import math\nprint(math.pi)"}`).decode(t, &res)
		assert.Equal(t, runtime.ExitRejected, res.ExitCode)
		require.Len(t, res.Violations, 1)
		assert.Equal(t, "import-not-allowed", res.Violations[0].Rule)
	})
	for name, body := range map[string]string{
		"stdlib policy": `{"code": "import math\nprint(math.pi)", "policy": "stdlib"}`,
		"allowImports":  `{"code": "import math\nprint(math.pi)", "allowImports": ["math"]}`,
	} {
		t.Run(name, func(t *testing.T) {
			var res runtime.ExecResult
			do("POST", url, body).decode(t, &res)
			assert.Equal(t, 0, res.ExitCode, "%+v", res)
			assert.True(t, strings.HasPrefix(res.Stdout, "3.14"), "stdout %q", res.Stdout)
		})
	}

	// Limits: a timeout is exit 124 in a 200 answer.
	t.Run("timeout", func(t *testing.T) {
		var res runtime.ExecResult
		do("POST", url, `{"code": "while True: pass", "timeoutMs": 300}`).decode(t, &res)
		assert.Equal(t, runtime.ExitTimeout, res.ExitCode)
		assert.True(t, res.TimedOut)
	})
	t.Run("memory", func(t *testing.T) {
		var res runtime.ExecResult
		do("POST", url, `{"code": "x = bytearray(200 * 1024 * 1024)", "memoryBytes": 33554432}`).decode(t, &res)
		assert.Equal(t, runtime.ExitMemory, res.ExitCode)
		assert.True(t, res.MemoryExceeded)
	})
	t.Run("output cap", func(t *testing.T) {
		var res runtime.ExecResult
		do("POST", url, `{"code": "print('x' * 100)", "maxOutputBytes": 10}`).decode(t, &res)
		assert.Equal(t, "xxxxxxxxxx", res.Stdout)
		assert.True(t, res.StdoutTruncated)
	})
}

func TestRunBadRequests(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBody: 1024, MaxTimeout: runTimeout})
	url := ts.URL + "/v1/run"
	for _, tc := range []struct{ name, body, want string }{
		{"unknown field", `{"code": "print(1)", "extra": 1}`, `unknown field "extra"`},
		{"truncated", `{"code": "print(1)"`, "unexpected end"},
		{"trailing value", `{"code": "print(1)"} {}`, "after the JSON object"},
		{"code not a string", `{"code": 1}`, `field "code" must be a string`},
		{"array", `[]`, "want a JSON object"},
		{"empty body", ``, "empty"},
		{"no code", `{}`, `"code" is required`},
		{"null code", `{"code": null}`, `"code" is required`},
		{"unknown policy", `{"code": "", "policy": "lax"}`, `unknown policy "lax"`},
		{"bad module name", `{"code": "", "allowImports": ["no thing"]}`, "invalid module name"},
		{"allowImports not an array", `{"code": "", "allowImports": "math"}`, `field "allowImports" must be an array`},
		{"zero timeout", `{"code": "", "timeoutMs": 0}`, "positive"},
		{"negative timeout", `{"code": "", "timeoutMs": -5}`, "positive"},
		{"timeout above maximum", `{"code": "", "timeoutMs": 600000}`, "maximum"},
		{"memory too small", `{"code": "", "memoryBytes": 1024}`, "interpreter needs"},
		{"memory above maximum", `{"code": "", "memoryBytes": 1e12}`, "maximum"},
		{"fractional memory", `{"code": "", "memoryBytes": 12345678.5}`, "whole number"},
		{"output cap above maximum", `{"code": "", "maxOutputBytes": 1e12}`, "maximum"},
		{"zero output cap", `{"code": "", "maxOutputBytes": 0}`, "positive whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := do("POST", url, tc.body).wantError(t, 400, CodeInvalidRequest)
			assert.Contains(t, e.Message, tc.want)
		})
	}
	t.Run("body too large", func(t *testing.T) {
		do("POST", url, `{"code": "`+strings.Repeat("x", 2000)+`"}`).wantError(t, 413, CodePayloadTooLarge)
	})
	t.Run("wrong method", func(t *testing.T) {
		r := do("GET", url, "")
		r.wantError(t, 405, CodeMethodNotAllowed)
		assert.Equal(t, "POST", r.header.Get("Allow"))
	})
	t.Run("unknown routes", func(t *testing.T) {
		do("GET", ts.URL+"/v1/nothing", "").wantError(t, 404, CodeNotFound)
		do("GET", ts.URL+"/", "").wantError(t, 404, CodeNotFound)
	})
}

func TestTest(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/test"
	t.Run("report", func(t *testing.T) {
		var rep runtime.TestReport
		r := do("POST", url, `{"evalCode": "def grade(x):\n    return x * 2", "function": "grade",
		"testCases": [{"name": "double", "input": 2, "expected": 4}, {"args": [3], "expected": 7}, {"input": "a", "raises": "TypeError"}]}`)
		require.Equal(t, 200, r.status, "%s", r.body)
		r.decode(t, &rep)
		assert.Equal(t, "grade", rep.Function)
		assert.Equal(t, 3, rep.Total)
		assert.Equal(t, 1, rep.Passed)
		assert.Equal(t, 2, rep.Failed)
		require.NotEmpty(t, rep.Cases)
		assert.Equal(t, "double", rep.Cases[0].Name)
	})
	t.Run("rejected", func(t *testing.T) {
		var rep runtime.TestReport
		do("POST", url, `{"evalCode": "import os\ndef evaluate(x): return x", "testCases": []}`).decode(t, &rep)
		assert.NotEmpty(t, rep.Violations)
		assert.False(t, rep.Success)
	})

	for _, tc := range []struct{ name, body, want string }{
		{"no evalCode", `{"testCases": []}`, `"evalCode" is required`},
		{"no testCases", `{"evalCode": ""}`, `"testCases" is required`},
		{"testCases not an array", `{"evalCode": "", "testCases": {"input": 1}}`, "must be an array"},
		{"unknown case field", `{"evalCode": "", "testCases": [{"input": 1, "expect": 2}]}`, "case 1"},
		{"bad tolerance", `{"evalCode": "", "testCases": [{"input": 1}, {"tolerance": "x"}]}`, "case 2"},
		{"bad function name", `{"evalCode": "", "testCases": [], "function": "not a name"}`, "not a Python identifier"},
		{"unknown field", `{"evalCode": "", "testCases": [], "cases": []}`, `unknown field "cases"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := do("POST", url, tc.body).wantError(t, 400, CodeInvalidRequest)
			assert.Contains(t, e.Message, tc.want)
		})
	}
}

func TestValidate(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/validate"
	t.Run("clean", func(t *testing.T) {
		var v validateResponse
		do("POST", url, `{"code": "import json\nprint(1)"}`).decode(t, &v)
		assert.True(t, v.OK)
		assert.NotNil(t, v.Violations, "violations are [] not null")
		assert.Empty(t, v.Violations)
	})
	t.Run("violation", func(t *testing.T) {
		var v validateResponse
		r := do("POST", url, `{"code": "eval('1')", "policy": "stdlib"}`)
		require.Equal(t, 200, r.status, "%s", r.body)
		r.decode(t, &v)
		assert.False(t, v.OK)
		require.NotEmpty(t, v.Violations)
		assert.Equal(t, "blocked-call", v.Violations[0].Rule)
		assert.Equal(t, 1, v.Violations[0].Line)
		assert.Contains(t, string(r.body), `"ok":false`)
	})
	t.Run("bad requests", func(t *testing.T) {
		do("POST", url, `{"code": "x", "timeoutMs": 5}`).wantError(t, 400, CodeInvalidRequest)
		do("POST", url, `{}`).wantError(t, 400, CodeInvalidRequest)
	})
}

func TestHealthAndMetrics(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKey: "k"})
	r := do("GET", ts.URL+"/healthz", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, `{"status":"ok"}`, strings.TrimSpace(string(r.body)))
	r = do("GET", ts.URL+"/health", "")
	assert.Equal(t, 200, r.status)
	assert.Equal(t, `{"ok":true}`, strings.TrimSpace(string(r.body)))
	do("POST", ts.URL+"/healthz", "").wantError(t, 405, CodeMethodNotAllowed)
	r = do("GET", ts.URL+"/metrics", "")
	for _, name := range []string{"wasmbox_http_requests_total{", "wasmbox_queue_depth ", "wasmbox_sessions_live ",
		"wasmbox_executions_running ", "wasmbox_instances_created_total ", "wasmbox_instances_destroyed_total ", "wasmbox_instances_warm "} {
		assert.Contains(t, string(r.body), name)
	}
	assert.Contains(t, string(r.body), `wasmbox_http_requests_total{code="405",method="POST",route="/healthz"} 1`)
}
