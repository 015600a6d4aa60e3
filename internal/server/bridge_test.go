package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newSandbox creates a sandbox and returns its ID.
func newSandbox(t *testing.T, base string, headers ...string) string {
	t.Helper()
	r := do("POST", base+"/v1/sandbox", "", headers...)
	require.Equal(t, 200, r.status, "create: %s", r.body)
	var body struct{ ID string }
	r.decode(t, &body)
	require.Regexp(t, sandboxIDPattern, body.ID)
	require.Len(t, body.ID, 26)
	return body.ID
}

func TestBridgeFlow(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	r := do("PUT", sb+"/file/workspace/data/in.txt", "3 4\n", "Content-Type", "application/octet-stream")
	require.Equal(t, 200, r.status, "put: %s", r.body)
	require.Equal(t, `{"ok":true}`, strings.TrimSpace(string(r.body)))
	require.Equal(t, 200, do("PUT", sb+"/file/workspace/main.py", `import os, sys
a, b = map(int, open("data/in.txt").read().split())
open("out.txt", "w").write(str(a * b))
print("cwd", os.getcwd(), "argv", sys.argv[1:])
print("warn", file=sys.stderr)
sys.exit(3)
`).status)
	require.Equal(t, 200, do("PUT", sb+"/file/workspace/data/show.py", "import os\nprint(os.getcwd(), __file__)\n").status)
	res, resp := exec(t, ts.URL, id, `{"argv": ["python3", "main.py", "x y"]}`)
	require.Equal(t, 200, resp.status, "exec: %s", resp.body)
	assert.Equal(t, 3, res.exitCode)
	assert.Equal(t, "cwd /workspace argv ['x y']\n", res.stdout)
	assert.Equal(t, "warn\n", res.stderr)
	assert.Equal(t, "no-cache", resp.header.Get("Cache-Control"))
	r = do("GET", sb+"/file/workspace/out.txt", "")
	require.Equal(t, 200, r.status, "get: %s", r.body)
	assert.Equal(t, "12", string(r.body))
	assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))

	// The shell forms, a cwd, and files persisting across execs.
	for _, tc := range []struct{ name, body, stdout string }{
		{"sh -lc", `{"argv": ["sh", "-lc", "python3 -c 'import os; print(os.getcwd(), open(\"out.txt\").read())'"]}`, "/workspace 12\n"},
		{"sh -c with cwd", `{"argv": ["sh", "-c", "python3 show.py"], "cwd": "data"}`, "/workspace/data /workspace/data/show.py\n"},
		{"path and options", `{"argv": ["/usr/bin/python3", "-u", "-W", "ignore", "main.py"], "cwd": "/workspace"}`, "cwd /workspace argv []\n"},
		{"absolute cwd", `{"argv": ["python3", "-c", "import os; print(os.listdir())"], "cwd": "/workspace/data", "timeout_ms": 60000}`, "['in.txt', 'show.py']\n"},
		{"module", `{"argv": ["python3", "-m", "main"]}`, "cwd /workspace argv []\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, resp := exec(t, ts.URL, id, tc.body)
			require.Equal(t, 200, resp.status, "%s", resp.body)
			assert.Equal(t, tc.stdout, res.stdout, "stderr: %s", res.stderr)
		})
	}

	// Command lines run in the shell; an unknown command is exit 127.
	for _, tc := range []struct{ body, stdout string }{
		{`{"argv": ["sh", "-c", "python3 main.py a 2>/dev/null | cat; cd data && ls"]}`, "cwd /workspace argv ['a']\nin.txt\nshow.py\n"},
		{`{"argv": ["bash", "-lc", "printf 'echo from $0\\n' > s.sh && bash s.sh"]}`, "from s.sh\n"},
	} {
		t.Run(tc.body, func(t *testing.T) {
			res, resp := exec(t, ts.URL, id, tc.body)
			require.Equal(t, 200, resp.status, "%s", resp.body)
			assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
			assert.Equal(t, tc.stdout, res.stdout)
		})
	}
	t.Run("unknown command", func(t *testing.T) {
		res, _ := exec(t, ts.URL, id, `{"argv": ["nosuchcmd", "-l"]}`)
		assert.Equal(t, 127, res.exitCode)
		assert.Equal(t, "sh: nosuchcmd: command not found\n", res.stderr)
	})
	t.Run("empty shell command", func(t *testing.T) {
		res, _ := exec(t, ts.URL, id, `{"argv": ["sh", "-c", ""]}`)
		assert.Equal(t, 0, res.exitCode)
	})
	// A timeout ends in exit 124 with a note on stderr.
	t.Run("timeout", func(t *testing.T) {
		res, _ := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "while True: pass"], "timeout_ms": 300}`)
		assert.Equal(t, 124, res.exitCode)
		assert.Contains(t, res.stderr, "timed out")
	})

	r = do("GET", sb+"/running", "")
	require.Equal(t, `{"running":true}`, strings.TrimSpace(string(r.body)))
	r = do("DELETE", sb, "")
	require.Equal(t, 204, r.status, "delete: %s", r.body)
	require.Empty(t, r.body)
	r = do("GET", sb+"/running", "")
	require.Equal(t, 200, r.status)
	require.Equal(t, `{"running":false}`, strings.TrimSpace(string(r.body)), "running after delete")
	do("GET", sb+"/file/workspace/out.txt", "").wantError(t, 404, CodeSandboxNotFound)
	do("PUT", sb+"/file/workspace/out.txt", "x").wantError(t, 404, CodeSandboxNotFound)
	_, resp = exec(t, ts.URL, id, `{"argv": ["python3", "-c", "1"]}`)
	resp.wantError(t, 404, CodeSandboxNotFound)
	assert.Equal(t, 204, do("DELETE", sb, "").status, "second delete")
}

func TestBridgeErrors(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxBody: 4096})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	for _, tc := range []struct {
		name, method, url, body string
		status                  int
		code                    string
	}{
		{"missing file", "GET", sb + "/file/workspace/none.txt", "", 404, CodeFileNotFound},
		{"read outside workspace", "GET", sb + "/file/etc/passwd", "", 403, CodeInvalidRequest},
		{"write outside workspace", "PUT", sb + "/file/tmp/x", "x", 403, CodeInvalidRequest},
		{"escaped dot-dot", "GET", sb + "/file/workspace%2F..%2Fetc", "", 403, CodeInvalidRequest},
		{"no path", "GET", sb + "/file/", "", 400, CodeInvalidRequest},
		{"a directory", "GET", sb + "/file/workspace", "", 400, CodeInvalidRequest},
		{"wrong method", "POST", sb + "/file/workspace/x", "", 405, CodeMethodNotAllowed},
		{"bad sandbox ID", "GET", ts.URL + "/v1/sandbox/NOT-VALID/running", "", 400, CodeInvalidRequest},
		{"bad sandbox ID to delete", "DELETE", ts.URL + "/v1/sandbox/abc1", "", 400, CodeInvalidRequest},
		{"unknown sandbox", "GET", ts.URL + "/v1/sandbox/aaaa/file/workspace/x", "", 404, CodeSandboxNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			do(tc.method, tc.url, tc.body).wantError(t, tc.status, tc.code)
		})
	}
	t.Run("delete of an unknown sandbox", func(t *testing.T) {
		assert.Equal(t, 204, do("DELETE", ts.URL+"/v1/sandbox/aaaa", "").status)
	})

	for _, tc := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty argv", `{"argv": []}`, 400, "argv must be a non-empty array"},
		{"no argv", `{}`, 400, "argv must be a non-empty array"},
		{"argv not an array", `{"argv": "python3"}`, 400, `field "argv" must be an array`},
		{"not JSON", `not json`, 400, "invalid JSON"},
		{"cwd outside", `{"argv": ["python3"], "cwd": "/tmp"}`, 403, "cwd must resolve to a location within /workspace"},
		{"cwd escapes", `{"argv": ["python3"], "cwd": "../etc"}`, 403, "cwd must resolve"},
		{"cwd missing", `{"argv": ["python3"], "cwd": "nope"}`, 400, "/workspace/nope does not exist"},
		{"zero timeout", `{"argv": ["python3"], "timeout_ms": 0}`, 400, "timeout_ms must be a positive"},
	} {
		t.Run("exec "+tc.name, func(t *testing.T) {
			_, resp := exec(t, ts.URL, id, tc.body)
			e := resp.wantError(t, tc.status, CodeInvalidRequest)
			assert.Contains(t, e.Message, tc.want)
		})
	}

	for _, route := range []string{"/pty", "/tunnel/8080", "/mount", "/unmount"} {
		t.Run(route, func(t *testing.T) {
			for _, method := range []string{"GET", "POST", "DELETE"} {
				do(method, sb+route, "").wantError(t, 501, CodeNotImplemented)
			}
		})
	}
	for _, route := range []string{"/v1/pool/stats", "/v1/pool/prime", "/v1/pool/shutdown-prewarmed", "/v1/openapi.json"} {
		t.Run(route, func(t *testing.T) {
			do("GET", ts.URL+route, "").wantError(t, 501, CodeNotImplemented)
		})
	}
}

func TestBridgeStreamsAsWritten(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	res, _ := exec(t, ts.URL, id, `{"argv": ["python3", "-c", "import time\nprint('first')\ntime.sleep(1.5)\nprint('second')"]}`)
	require.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	require.Equal(t, "first\nsecond\n", res.stdout)
	first, last := res.events[0], res.events[len(res.events)-1]
	assert.GreaterOrEqual(t, last.at.Sub(first.at), time.Second, "the first chunk came too close to the end: not streamed")
}

func TestSessionLimits(t *testing.T) {
	s, ts := newTestServer(t, Config{MaxSessions: 2, SessionTTL: time.Second, SessionFSBytes: 64 << 10})
	a := newSandbox(t, ts.URL)
	b := newSandbox(t, ts.URL)
	r := do("POST", ts.URL+"/v1/sandbox", "")
	r.wantError(t, 503, CodeCapacityExceeded)
	assert.NotEmpty(t, r.header.Get("Retry-After"), "503 without Retry-After")
	// The filesystem cap: a write past it is 413.
	do("PUT", ts.URL+"/v1/sandbox/"+a+"/file/workspace/big", strings.Repeat("x", 100<<10)).wantError(t, 413, CodePayloadTooLarge)
	// A busy session does not expire; idle ones do.
	done := make(chan execReply)
	go func() { done <- sendExec(ts.URL, b, `{"argv": ["python3", "-c", "import time; time.sleep(4)"]}`) }()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the exec in b to start")
	require.Eventually(t, func() bool { return !s.sessions.exists(a) }, waitLong, tick, "a to expire")
	require.True(t, s.sessions.exists(b), "the busy session expired")
	res, _ := (<-done).result(t)
	assert.Equal(t, 0, res.exitCode, "exec in b: %+v", res)
	require.Eventually(t, func() bool { return !s.sessions.exists(b) }, waitLong, tick, "b to expire after its exec")
	assert.Equal(t, 2.0, metricValue(ts.URL, `wasmbox_sessions_removed_total{reason="expired"}`), "expired sessions")
	newSandbox(t, ts.URL)
}

func TestDeleteEndsRunningExec(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	done := make(chan execReply)
	go func() { done <- sendExec(ts.URL, id, `{"argv": ["python3", "-c", "import time; time.sleep(30)"]}`) }()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the exec to start")
	require.Equal(t, 204, do("DELETE", ts.URL+"/v1/sandbox/"+id, "").status)
	res, _ := (<-done).result(t)
	require.NotNil(t, res.errEvent, "%+v", res)
	assert.Equal(t, CodeExecError, res.errEvent.Code)
	assert.Contains(t, res.errEvent.Message, "deleted")
}

func TestExecClientDisconnect(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/sandbox/"+id+"/exec",
		strings.NewReader(`{"argv": ["python3", "-c", "import time\nprint('go', flush=True)\ntime.sleep(30)"]}`))
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	buf := make([]byte, 10)
	_, err = res.Body.Read(buf) // the first event has come: the program runs
	require.NoError(t, err)
	cancel()
	res.Body.Close()
	require.Eventually(t, func() bool {
		return metricValue(ts.URL, `wasmbox_executions_total{kind="exec",outcome="canceled"}`) == 1 &&
			metricValue(ts.URL, "wasmbox_executions_running") == 0
	}, waitLong, tick, "the execution to be canceled")
}
