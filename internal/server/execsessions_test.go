package server

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyExec is the body of an exec running python3 -c code.
func pyExec(code string) string {
	return `{"argv": ["python3", "-c", ` + jsonString(code) + `]}`
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

const showCwdAndEnv = "import os\nprint(os.getcwd(), os.environ.get('GREETING'))"

func TestExecSessions(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id

	t.Run("cwd must exist", func(t *testing.T) {
		e := do("POST", sb+"/session", `{"id": "s1", "cwd": "/workspace/app"}`).wantError(t, 502, CodeSessionError)
		assert.Contains(t, e.Message, "/workspace/app is not a directory")
	})
	require.Equal(t, 200, do("PUT", sb+"/file/workspace/app/show.py", "import os\nprint('show', os.getcwd())\n").status)
	r := do("POST", sb+"/session", `{"id": "s1", "cwd": "app", "env": {"GREETING": "hi", "GONE": null}, "commandTimeoutMs": 5000}`)
	require.Equal(t, 200, r.status, "%s", r.body)
	assert.JSONEq(t, `{"id": "s1"}`, string(r.body))

	for _, tc := range []struct {
		name, body, sessionID, stdout string
	}{
		{"in the session", pyExec(showCwdAndEnv), "s1", "/workspace/app hi\n"},
		{"a script relative to the session's cwd", `{"argv": ["python3", "show.py"]}`, "s1", "show /workspace/app\n"},
		{"the exec's cwd wins", `{"argv": ["python3", "-c", "import os\nprint(os.getcwd(), os.environ.get('GREETING'))"], "cwd": "/workspace"}`, "s1", "/workspace hi\n"},
		{"the exec's cwd through a shell", `{"argv": ["sh", "-c", "python3 app/show.py"], "cwd": "."}`, "s1", "show /workspace\n"},
		{"without Session-Id", pyExec(showCwdAndEnv), "", "/workspace None\n"},
		{"a new session named by an exec", pyExec(showCwdAndEnv), "fresh", "/workspace None\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.sessionID != "" {
				h = []string{"Session-Id", tc.sessionID}
			}
			res, resp := exec(t, ts.URL, id, tc.body, h...)
			require.Equal(t, 200, resp.status, "%s", resp.body)
			assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
			assert.Equal(t, tc.stdout, res.stdout)
		})
	}

	t.Run("an exec created the session it named", func(t *testing.T) {
		e := do("POST", sb+"/session", `{"id": "fresh"}`).wantError(t, 502, CodeSessionError)
		assert.Contains(t, e.Message, "already exists")
	})
	t.Run("generated ID", func(t *testing.T) {
		for _, body := range []string{"", "{}", "  "} {
			r := do("POST", sb+"/session", body)
			require.Equal(t, 200, r.status, "%s", r.body)
			var created struct{ ID string }
			r.decode(t, &created)
			assert.Regexp(t, `^session-[a-z2-7]{13}$`, created.ID)
			res, _ := exec(t, ts.URL, id, pyExec(showCwdAndEnv), "Session-Id", created.ID)
			assert.Equal(t, "/workspace None\n", res.stdout)
		}
	})
	t.Run("session files are the sandbox's", func(t *testing.T) {
		r := do("GET", sb+"/file/workspace/app/show.py", "", "Session-Id", "s1")
		require.Equal(t, 200, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), "print('show'")
	})
	t.Run("a session's PYTHONPATH", func(t *testing.T) {
		require.Equal(t, 200, do("PUT", sb+"/file/workspace/lib/helper.py", "NAME = 'helper'\n").status)
		require.Equal(t, 200, do("POST", sb+"/session", `{"id": "libs", "env": {"PYTHONPATH": "/workspace/lib"}}`).status)
		res, _ := exec(t, ts.URL, id, pyExec("import os, helper\nprint(helper.NAME, os.getcwd())"), "Session-Id", "libs")
		assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
		assert.Equal(t, "helper /workspace\n", res.stdout)
	})

	for _, tc := range []struct {
		name, body string
		status     int
		code, want string
	}{
		{"taken ID", `{"id": "s1"}`, 502, CodeSessionError, "Session 's1' already exists"},
		{"cwd outside the workspace", `{"cwd": "/tmp"}`, 502, CodeSessionError, "cwd must resolve to a location within /workspace"},
		{"bad ID", `{"id": "../x"}`, 400, CodeInvalidRequest, "Invalid session ID format"},
		{"ID too long", `{"id": "` + strings.Repeat("a", 129) + `"}`, 400, CodeInvalidRequest, "Invalid session ID format"},
		{"env not an object", `{"env": ["A=b"]}`, 400, CodeInvalidRequest, `field "env" must be an object`},
		{"env value not a string", `{"env": {"A": 1}}`, 400, CodeInvalidRequest, `field "env" must be a string`},
		{"bad variable name", `{"env": {"A=B": "c"}}`, 400, CodeInvalidRequest, `"A=B" is not a variable name`},
		{"not JSON", `{"id": `, 400, CodeInvalidRequest, "invalid JSON body"},
	} {
		t.Run("create: "+tc.name, func(t *testing.T) {
			e := do("POST", sb+"/session", tc.body).wantError(t, tc.status, tc.code)
			assert.Contains(t, e.Message, tc.want)
		})
	}
	for _, sid := range []string{"a b", "..", "a..b", strings.Repeat("x", 129), "é"} {
		t.Run("Session-Id "+sid, func(t *testing.T) {
			_, resp := exec(t, ts.URL, id, pyExec("print(1)"), "Session-Id", sid)
			e := resp.wantError(t, 400, CodeInvalidRequest)
			assert.Contains(t, e.Message, "Invalid session ID format")
			do("GET", sb+"/file/workspace/app/show.py", "", "Session-Id", sid).wantError(t, 400, CodeInvalidRequest)
			do("PUT", sb+"/file/workspace/x.txt", "x", "Session-Id", sid).wantError(t, 400, CodeInvalidRequest)
			// Routes that take no session ignore the header, as the bridge does.
			r := do("GET", sb+"/running", "", "Session-Id", sid)
			assert.JSONEq(t, `{"running": true}`, string(r.body))
		})
	}

	t.Run("delete", func(t *testing.T) {
		r := do("DELETE", sb+"/session/s1", "")
		require.Equal(t, 200, r.status, "%s", r.body)
		var deleted struct {
			Success   bool
			SessionID string `json:"sessionId"`
			Timestamp time.Time
		}
		r.decode(t, &deleted)
		assert.True(t, deleted.Success)
		assert.Equal(t, "s1", deleted.SessionID)
		assert.WithinDuration(t, time.Now(), deleted.Timestamp, time.Minute)

		e := do("DELETE", sb+"/session/s1", "").wantError(t, 502, CodeSessionError)
		assert.Contains(t, e.Message, "Session 's1' not found")
		// Named again, it starts afresh.
		res, _ := exec(t, ts.URL, id, pyExec(showCwdAndEnv), "Session-Id", "s1")
		assert.Equal(t, "/workspace None\n", res.stdout)
	})
	t.Run("unknown sandbox", func(t *testing.T) {
		do("POST", ts.URL+"/v1/sandbox/aaaa/session", `{}`).wantError(t, 404, CodeSandboxNotFound)
		do("DELETE", ts.URL+"/v1/sandbox/aaaa/session/s1", "").wantError(t, 404, CodeSandboxNotFound)
	})
	t.Run("wrong methods", func(t *testing.T) {
		do("GET", sb+"/session", "").wantError(t, 405, CodeMethodNotAllowed)
		do("POST", sb+"/session/s1", "").wantError(t, 405, CodeMethodNotAllowed)
	})
}

// TestExecSessionTurns: execs in one session run one at a time, even with
// slots free; execs in other sessions do not wait.
func TestExecSessionTurns(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxConcurrency: 3})
	id := newSandbox(t, ts.URL)
	first := make(chan execReply)
	go func() {
		first <- sendExec(ts.URL, id, pyExec("import time\ntime.sleep(1.5)\nopen('turn.txt', 'w').write('first')"), "Session-Id", "one")
	}()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the first exec to start")

	// Another session runs at once: the file is not there yet.
	res, _ := exec(t, ts.URL, id, pyExec("import os\nprint(os.path.exists('turn.txt'))"), "Session-Id", "two")
	assert.Equal(t, "False\n", res.stdout)
	// The same session waits for the first exec to end.
	res, _ = exec(t, ts.URL, id, pyExec("print(open('turn.txt').read())"), "Session-Id", "one")
	assert.Equal(t, 0, res.exitCode, "stderr: %s", res.stderr)
	assert.Equal(t, "first\n", res.stdout)
	got, _ := (<-first).result(t)
	assert.Equal(t, 0, got.exitCode, "stderr: %s", got.stderr)
}

// TestDeleteSessionEndsItsExec: deleting a session ends the exec running in
// it with an error event; the sandbox lives on.
func TestDeleteSessionEndsItsExec(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	sb := ts.URL + "/v1/sandbox/" + id
	require.Equal(t, 200, do("POST", sb+"/session", `{"id": "busy"}`).status)
	done := make(chan execReply)
	go func() {
		done <- sendExec(ts.URL, id, pyExec("import time\ntime.sleep(30)"), "Session-Id", "busy")
	}()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the exec to start")
	require.Equal(t, 200, do("DELETE", sb+"/session/busy", "").status)
	res, _ := (<-done).result(t)
	require.NotNil(t, res.errEvent, "%+v", res)
	assert.Equal(t, CodeExecError, res.errEvent.Code)
	assert.Contains(t, res.errEvent.Message, "session busy was deleted")
	r := do("GET", sb+"/running", "")
	assert.JSONEq(t, `{"running": true}`, string(r.body))
}
