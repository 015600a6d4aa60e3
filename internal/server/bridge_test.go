package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// newSandbox creates a sandbox and returns its ID.
func newSandbox(t *testing.T, base string, headers ...string) string {
	t.Helper()
	r := do(t, "POST", base+"/v1/sandbox", "", headers...)
	var body struct{ ID string }
	r.decode(t, &body)
	if r.status != 200 || !sandboxIDPattern.MatchString(body.ID) || len(body.ID) != 26 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	return body.ID
}

func TestBridgeFlow(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	r := do(t, "PUT", sb+"/file/workspace/data/in.txt", "3 4\n", "Content-Type", "application/octet-stream")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"ok":true}` {
		t.Fatalf("put: %d %s", r.status, r.body)
	}
	do(t, "PUT", sb+"/file/workspace/main.py", `import os, sys
a, b = map(int, open("data/in.txt").read().split())
open("out.txt", "w").write(str(a * b))
print("cwd", os.getcwd(), "argv", sys.argv[1:])
print("warn", file=sys.stderr)
sys.exit(3)
`)
	do(t, "PUT", sb+"/file/workspace/data/show.py", "import os\nprint(os.getcwd(), __file__)\n")
	res, resp := exec(t, ts.URL, id, `{"argv": ["python3", "main.py", "x y"]}`)
	if resp.status != 200 || res.exitCode != 3 || res.stdout != "cwd /workspace argv ['x y']\n" || res.stderr != "warn\n" {
		t.Fatalf("exec: %d %+v", resp.status, res)
	}
	if resp.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("Cache-Control %q", resp.header.Get("Cache-Control"))
	}
	r = do(t, "GET", sb+"/file/workspace/out.txt", "")
	if r.status != 200 || string(r.body) != "12" || r.header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("get: %d %q %v", r.status, r.body, r.header)
	}

	// The shell forms, a cwd, and files persisting across execs.
	for _, tc := range []struct{ body, stdout string }{
		{`{"argv": ["sh", "-lc", "python3 -c 'import os; print(os.getcwd(), open(\"out.txt\").read())'"]}`, "/workspace 12\n"},
		{`{"argv": ["sh", "-c", "python3 show.py"], "cwd": "data"}`, "/workspace/data /workspace/data/show.py\n"},
		{`{"argv": ["/usr/bin/python3", "-u", "-W", "ignore", "main.py"], "cwd": "/workspace"}`, "cwd /workspace argv []\n"},
		{`{"argv": ["python3", "-c", "import os; print(os.listdir())"], "cwd": "/workspace/data", "timeout_ms": 60000}`, "['in.txt', 'show.py']\n"},
		{`{"argv": ["python3", "-m", "main"]}`, "cwd /workspace argv []\n"},
	} {
		res, resp := exec(t, ts.URL, id, tc.body)
		if resp.status != 200 || res.stdout != tc.stdout {
			t.Errorf("%s: %d %+v %s", tc.body, resp.status, res, resp.body)
		}
	}

	// Command lines run in the shell; an unknown command is exit 127.
	for _, tc := range []struct{ body, stdout string }{
		{`{"argv": ["sh", "-c", "python3 main.py a 2>/dev/null | cat; cd data && ls"]}`, "cwd /workspace argv ['a']\nin.txt\nshow.py\n"},
		{`{"argv": ["bash", "-lc", "printf 'echo from $0\\n' > s.sh && bash s.sh"]}`, "from s.sh\n"},
	} {
		res, resp := exec(t, ts.URL, id, tc.body)
		if resp.status != 200 || res.exitCode != 0 || res.stdout != tc.stdout {
			t.Errorf("%s: %d %+v", tc.body, resp.status, res)
		}
	}
	if res, _ := exec(t, ts.URL, id, `{"argv": ["nosuchcmd", "-l"]}`); res.exitCode != 127 || res.stderr != "sh: nosuchcmd: command not found\n" {
		t.Errorf("unknown command: %+v", res)
	}
	if res, _ := exec(t, ts.URL, id, `{"argv": ["sh", "-c", ""]}`); res.exitCode != 0 {
		t.Errorf("empty shell command: %+v", res)
	}
	// A timeout ends in exit 124 with a note on stderr.
	res, _ = exec(t, ts.URL, id, `{"argv": ["python3", "-c", "while True: pass"], "timeout_ms": 300}`)
	if res.exitCode != 124 || !strings.Contains(res.stderr, "timed out") {
		t.Errorf("timeout: %+v", res)
	}

	r = do(t, "GET", sb+"/running", "")
	if strings.TrimSpace(string(r.body)) != `{"running":true}` {
		t.Fatalf("running: %s", r.body)
	}
	if r = do(t, "DELETE", sb, ""); r.status != 204 || len(r.body) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = do(t, "GET", sb+"/running", "")
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"running":false}` {
		t.Fatalf("running after delete: %s", r.body)
	}
	do(t, "GET", sb+"/file/workspace/out.txt", "").wantError(t, 404, CodeSandboxNotFound)
	do(t, "PUT", sb+"/file/workspace/out.txt", "x").wantError(t, 404, CodeSandboxNotFound)
	_, resp = exec(t, ts.URL, id, `{"argv": ["python3", "-c", "1"]}`)
	resp.wantError(t, 404, CodeSandboxNotFound)
	if r = do(t, "DELETE", sb, ""); r.status != 204 {
		t.Fatalf("second delete: %d", r.status)
	}
}

func TestBridgeErrors(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBody: 4096})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	do(t, "GET", sb+"/file/workspace/none.txt", "").wantError(t, 404, CodeFileNotFound)
	do(t, "GET", sb+"/file/etc/passwd", "").wantError(t, 403, CodeInvalidRequest)
	do(t, "PUT", sb+"/file/tmp/x", "x").wantError(t, 403, CodeInvalidRequest)
	do(t, "GET", sb+"/file/workspace%2F..%2Fetc", "").wantError(t, 403, CodeInvalidRequest)
	do(t, "GET", sb+"/file/", "").wantError(t, 400, CodeInvalidRequest)
	do(t, "GET", sb+"/file/workspace", "").wantError(t, 400, CodeInvalidRequest)
	do(t, "PUT", sb+"/file/workspace/big", strings.Repeat("x", 5000)).wantError(t, 413, CodePayloadTooLarge)
	do(t, "POST", sb+"/file/workspace/x", "").wantError(t, 405, CodeMethodNotAllowed)
	do(t, "GET", ts.URL+"/v1/sandbox/NOT-VALID/running", "").wantError(t, 400, CodeInvalidRequest)
	do(t, "DELETE", ts.URL+"/v1/sandbox/abc1", "").wantError(t, 400, CodeInvalidRequest)
	do(t, "GET", ts.URL+"/v1/sandbox/aaaa/file/workspace/x", "").wantError(t, 404, CodeSandboxNotFound)
	if r := do(t, "DELETE", ts.URL+"/v1/sandbox/aaaa", ""); r.status != 204 {
		t.Errorf("delete of an unknown sandbox: %d", r.status)
	}
	do(t, "GET", sb+"/file/workspace/x", "", "Session-Id", "s1").wantError(t, 501, CodeNotImplemented)

	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"argv": []}`, 400, "argv must be a non-empty array"},
		{`{}`, 400, "argv must be a non-empty array"},
		{`{"argv": "python3"}`, 400, `field "argv" must be an array`},
		{`{"argv": ["python3"], "env": {}}`, 400, `unknown field "env"`},
		{`not json`, 400, "invalid JSON"},
		{`{"argv": ["python3"], "cwd": "/tmp"}`, 403, "cwd must resolve to a location within /workspace"},
		{`{"argv": ["python3"], "cwd": "../etc"}`, 403, "cwd must resolve"},
		{`{"argv": ["python3"], "cwd": "nope"}`, 400, "/workspace/nope does not exist"},
		{`{"argv": ["python3"], "timeout_ms": 0}`, 400, "timeout_ms must be a positive"},
	} {
		_, resp := exec(t, ts.URL, id, tc.body)
		e := resp.wantError(t, tc.status, CodeInvalidRequest)
		if !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: message %q does not say %q", tc.body, e.Message, tc.want)
		}
	}

	for _, route := range []string{"/pty", "/tunnel/8080", "/mount", "/unmount", "/persist", "/hydrate", "/session", "/session/s1"} {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			do(t, method, sb+route, "").wantError(t, 501, CodeNotImplemented)
		}
	}
	for _, route := range []string{"/v1/pool/stats", "/v1/pool/prime", "/v1/pool/shutdown-prewarmed", "/v1/openapi.json"} {
		do(t, "GET", ts.URL+route, "").wantError(t, 501, CodeNotImplemented)
	}
}

func TestBridgeStreamsAsWritten(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	start := time.Now()
	res, _ := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "import time\nprint('first')\ntime.sleep(1.5)\nprint('second')"]}`)
	if res.exitCode != 0 || res.stdout != "first\nsecond\n" {
		t.Fatalf("%+v", res)
	}
	first, last := res.events[0], res.events[len(res.events)-1]
	if gap := last.at.Sub(first.at); gap < time.Second {
		t.Errorf("the first chunk came %v before the end (at %v): not streamed", gap, first.at.Sub(start))
	}
}

func TestSessionLimits(t *testing.T) {
	s, ts := newTestServer(t, Config{MaxSessions: 2, SessionTTL: time.Second, SessionFSBytes: 64 << 10})
	a := newSandbox(t, ts.URL)
	b := newSandbox(t, ts.URL)
	r := do(t, "POST", ts.URL+"/v1/sandbox", "")
	r.wantError(t, 503, CodeCapacityExceeded)
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// The filesystem cap: a write past it is 413.
	do(t, "PUT", ts.URL+"/v1/sandbox/"+a+"/file/workspace/big", strings.Repeat("x", 100<<10)).wantError(t, 413, CodePayloadTooLarge)
	// A busy session does not expire; idle ones do.
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, _ := exec(t, ts.URL, b, `{"argv": ["python3", "-c", "import time; time.sleep(4)"]}`)
		if res.exitCode != 0 {
			t.Errorf("exec in b: %+v", res)
		}
	}()
	waitFor(t, 10*time.Second, "the exec in b to start", func() bool { return metricValue(t, ts.URL, "wasmbox_executions_running") == 1 })
	waitFor(t, 10*time.Second, "a to expire", func() bool { return !s.sessions.exists(a) })
	if !s.sessions.exists(b) {
		t.Fatal("the busy session expired")
	}
	<-done
	waitFor(t, 10*time.Second, "b to expire after its exec", func() bool { return !s.sessions.exists(b) })
	if v := metricValue(t, ts.URL, `wasmbox_sessions_removed_total{reason="expired"}`); v != 2 {
		t.Errorf("expired sessions: %v", v)
	}
	newSandbox(t, ts.URL)
}

func TestDeleteEndsRunningExec(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	go func() {
		time.Sleep(time.Second)
		do(t, "DELETE", ts.URL+"/v1/sandbox/"+id, "")
	}()
	res, _ := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "import time; time.sleep(30)"]}`)
	if res.errEvent == nil || res.errEvent.Code != CodeExecError || !strings.Contains(res.errEvent.Message, "deleted") {
		t.Fatalf("%+v", res)
	}
}

func TestExecClientDisconnect(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/sandbox/"+id+"/exec",
		strings.NewReader(`{"argv": ["python3", "-c", "import time\nprint('go', flush=True)\ntime.sleep(30)"]}`))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	res.Body.Read(buf) // the first event has come: the program runs
	cancel()
	res.Body.Close()
	waitFor(t, 10*time.Second, "the execution to be canceled", func() bool {
		return metricValue(t, ts.URL, `wasmbox_executions_total{kind="exec",outcome="canceled"}`) == 1 &&
			metricValue(t, ts.URL, "wasmbox_executions_running") == 0
	})
}
