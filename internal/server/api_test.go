package server

import (
	"strings"
	"testing"

	"github.com/wasmbox/wasmbox/runtime"
)

func TestRun(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/run"
	var res runtime.ExecResult

	r := do(t, "POST", url, `{"code": "import json, sys\nprint(json.dumps([sys.stdin.read(), 2]))", "stdin": "hi", "policy": "none"}`)
	r.decode(t, &res)
	if r.status != 200 || !res.Success || res.Stdout != "[\"hi\", 2]\n" || res.Violations == nil {
		t.Fatalf("run: %d %s", r.status, r.body)
	}

	// Rejected by the strict policy: exit 126 with the violations; the
	// stdlib policy and allowImports let it through.
	res = runtime.ExecResult{}
	do(t, "POST", url, `{"code": "import math\nprint(math.pi)"}`).decode(t, &res)
	if res.ExitCode != runtime.ExitRejected || len(res.Violations) != 1 || res.Violations[0].Rule != "import-not-allowed" {
		t.Fatalf("rejected: %+v", res)
	}
	for _, body := range []string{`{"code": "import math\nprint(math.pi)", "policy": "stdlib"}`, `{"code": "import math\nprint(math.pi)", "allowImports": ["math"]}`} {
		res = runtime.ExecResult{}
		do(t, "POST", url, body).decode(t, &res)
		if res.ExitCode != 0 || !strings.HasPrefix(res.Stdout, "3.14") {
			t.Fatalf("%s: %+v", body, res)
		}
	}

	// Limits: a timeout is exit 124 in a 200 answer.
	res = runtime.ExecResult{}
	do(t, "POST", url, `{"code": "while True: pass", "timeoutMs": 300}`).decode(t, &res)
	if res.ExitCode != runtime.ExitTimeout || !res.TimedOut {
		t.Fatalf("timeout: %+v", res)
	}
	res = runtime.ExecResult{}
	do(t, "POST", url, `{"code": "x = bytearray(200 * 1024 * 1024)", "memoryBytes": 33554432}`).decode(t, &res)
	if res.ExitCode != runtime.ExitMemory || !res.MemoryExceeded {
		t.Fatalf("memory: %+v", res)
	}
}

func TestRunBadRequests(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBody: 1024, MaxTimeout: runTimeout})
	url := ts.URL + "/v1/run"
	for _, tc := range []struct{ body, want string }{
		{`{"code": "print(1)", "extra": 1}`, `unknown field "extra"`},
		{`{"code": "print(1)"`, "unexpected end"},
		{`{"code": "print(1)"} {}`, "after the JSON object"},
		{`{"code": 1}`, `field "code" must be a string`},
		{`[]`, "want a JSON object"},
		{``, "empty"},
		{`{}`, `"code" is required`},
		{`{"code": null}`, `"code" is required`},
		{`{"code": "", "policy": "lax"}`, `unknown policy "lax"`},
		{`{"code": "", "allowImports": ["no thing"]}`, "invalid module name"},
		{`{"code": "", "allowImports": "math"}`, `field "allowImports" must be an array`},
		{`{"code": "", "timeoutMs": 0}`, "positive"},
		{`{"code": "", "timeoutMs": -5}`, "positive"},
		{`{"code": "", "timeoutMs": 600000}`, "maximum"},
		{`{"code": "", "memoryBytes": 1024}`, "interpreter needs"},
		{`{"code": "", "memoryBytes": 1e12}`, "maximum"},
		{`{"code": "", "memoryBytes": 12345678.5}`, "whole number"},
	} {
		r := do(t, "POST", url, tc.body)
		e := r.wantError(t, 400, CodeInvalidRequest)
		if !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: message %q does not say %q", tc.body, e.Message, tc.want)
		}
	}
	r := do(t, "POST", url, `{"code": "`+strings.Repeat("x", 2000)+`"}`)
	r.wantError(t, 413, CodePayloadTooLarge)
	r = do(t, "GET", url, "")
	r.wantError(t, 405, CodeMethodNotAllowed)
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow: %q", r.header.Get("Allow"))
	}
	do(t, "GET", ts.URL+"/v1/nothing", "").wantError(t, 404, CodeNotFound)
	do(t, "GET", ts.URL+"/", "").wantError(t, 404, CodeNotFound)
}

func TestTest(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/test"
	var rep runtime.TestReport
	r := do(t, "POST", url, `{"evalCode": "def grade(x):\n    return x * 2", "function": "grade",
		"testCases": [{"name": "double", "input": 2, "expected": 4}, {"args": [3], "expected": 7}, {"input": "a", "raises": "TypeError"}]}`)
	r.decode(t, &rep)
	if r.status != 200 || rep.Function != "grade" || rep.Total != 3 || rep.Passed != 1 || rep.Failed != 2 || rep.Cases[0].Name != "double" {
		t.Fatalf("test: %d %s", r.status, r.body)
	}
	rep = runtime.TestReport{}
	do(t, "POST", url, `{"evalCode": "import os\ndef evaluate(x): return x", "testCases": []}`).decode(t, &rep)
	if len(rep.Violations) == 0 || rep.Success {
		t.Fatalf("rejected: %+v", rep)
	}

	for _, tc := range []struct{ body, want string }{
		{`{"testCases": []}`, `"evalCode" is required`},
		{`{"evalCode": ""}`, `"testCases" is required`},
		{`{"evalCode": "", "testCases": {"input": 1}}`, "must be an array"},
		{`{"evalCode": "", "testCases": [{"input": 1, "expect": 2}]}`, "case 1"},
		{`{"evalCode": "", "testCases": [{"input": 1}, {"tolerance": "x"}]}`, "case 2"},
		{`{"evalCode": "", "testCases": [], "function": "not a name"}`, "not a Python identifier"},
		{`{"evalCode": "", "testCases": [], "cases": []}`, `unknown field "cases"`},
	} {
		e := do(t, "POST", url, tc.body).wantError(t, 400, CodeInvalidRequest)
		if !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: message %q does not say %q", tc.body, e.Message, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	url := ts.URL + "/v1/validate"
	var v validateResponse
	do(t, "POST", url, `{"code": "import json\nprint(1)"}`).decode(t, &v)
	if !v.OK || v.Violations == nil || len(v.Violations) != 0 {
		t.Fatalf("clean: %+v", v)
	}
	r := do(t, "POST", url, `{"code": "eval('1')", "policy": "stdlib"}`)
	v = validateResponse{}
	r.decode(t, &v)
	if r.status != 200 || v.OK || v.Violations[0].Rule != "blocked-call" || v.Violations[0].Line != 1 {
		t.Fatalf("violation: %s", r.body)
	}
	if !strings.Contains(string(r.body), `"ok":false`) {
		t.Errorf("body %s", r.body)
	}
	do(t, "POST", url, `{"code": "x", "timeoutMs": 5}`).wantError(t, 400, CodeInvalidRequest)
	do(t, "POST", url, `{}`).wantError(t, 400, CodeInvalidRequest)
}

func TestHealthAndMetrics(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKey: "k"})
	r := do(t, "GET", ts.URL+"/healthz", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", r.status, r.body)
	}
	r = do(t, "GET", ts.URL+"/health", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"ok":true}` {
		t.Fatalf("health: %d %s", r.status, r.body)
	}
	do(t, "POST", ts.URL+"/healthz", "").wantError(t, 405, CodeMethodNotAllowed)
	r = do(t, "GET", ts.URL+"/metrics", "")
	for _, name := range []string{"wasmbox_http_requests_total{", "wasmbox_queue_depth ", "wasmbox_sessions_live ",
		"wasmbox_executions_running ", "wasmbox_instances_created_total ", "wasmbox_instances_destroyed_total ", "wasmbox_instances_warm "} {
		if !strings.Contains(string(r.body), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	if !strings.Contains(string(r.body), `wasmbox_http_requests_total{code="405",method="POST",route="/healthz"} 1`) {
		t.Errorf("requests counter:\n%s", r.body)
	}
}
