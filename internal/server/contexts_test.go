package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// newCodeContext creates a context in sandbox id and returns its ID.
func newCodeContext(t *testing.T, base, id, body string) string {
	t.Helper()
	r := do("POST", base+"/v1/sandbox/"+id+"/contexts", body)
	require.Equal(t, http.StatusOK, r.status, "create context: %s", r.body)
	var info contextInfo
	r.decode(t, &info)
	require.NotEmpty(t, info.ID)
	return info.ID
}

// runCode runs code in a context and returns the Execution.
func runCode(t *testing.T, base, id, cid, code string) runtime.Execution {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"code": code})
	r := do("POST", base+"/v1/sandbox/"+id+"/contexts/"+cid+"/run", string(body))
	require.Equal(t, http.StatusOK, r.status, "run: %s", r.body)
	var x runtime.Execution
	r.decode(t, &x)
	return x
}

func resultTexts(x runtime.Execution) []string {
	out := []string{}
	for _, r := range x.Results {
		out = append(out, r.Text)
	}
	return out
}

func TestContextRoutes(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	base := ts.URL + "/v1/sandbox/" + id + "/contexts"
	a := newCodeContext(t, ts.URL, id, `{"language": "python"}`)
	b := newCodeContext(t, ts.URL, id, "")

	t.Run("state", func(t *testing.T) {
		x := runCode(t, ts.URL, id, a, "x = 41")
		assert.Nil(t, x.Error)
		x = runCode(t, ts.URL, id, a, "x + 1")
		assert.Equal(t, []string{"42"}, resultTexts(x))
		assert.Equal(t, 2, x.ExecutionCount)
	})
	t.Run("stdout", func(t *testing.T) {
		x := runCode(t, ts.URL, id, a, "print('hi')")
		assert.Equal(t, []string{"hi\n"}, x.Logs.Stdout)
	})
	t.Run("error", func(t *testing.T) {
		x := runCode(t, ts.URL, id, a, "1/0")
		require.NotNil(t, x.Error)
		assert.Equal(t, "ZeroDivisionError", x.Error.Name)
		assert.Equal(t, 1, x.Error.LineNumber)
		assert.NotEmpty(t, x.Error.Traceback)
	})
	t.Run("isolated", func(t *testing.T) {
		x := runCode(t, ts.URL, id, b, "x")
		require.NotNil(t, x.Error)
		assert.Equal(t, "NameError", x.Error.Name)
	})
	t.Run("files of the session", func(t *testing.T) {
		require.Equal(t, http.StatusOK, do("PUT", ts.URL+"/v1/sandbox/"+id+"/file/workspace/data.txt", "from the host").status)
		x := runCode(t, ts.URL, id, b, "open('data.txt').read()")
		assert.Equal(t, []string{"'from the host'"}, resultTexts(x))
	})
	t.Run("stream", func(t *testing.T) {
		res, err := client.Do(mustRequest(t, "POST", base+"/"+a+"/run", `{"code": "print('one')\nprint('two')\n1/0"}`, "Accept", "text/event-stream"))
		require.NoError(t, err)
		defer res.Body.Close()
		events, bad := parseSSE(res.Body)
		assert.Empty(t, bad)
		names := []string{}
		for _, e := range events {
			names = append(names, e.name)
		}
		assert.Equal(t, []string{"stdout", "stdout", "error", "complete"}, names)
		assert.JSONEq(t, `{"text": "one\n"}`, events[0].data)
		assert.Contains(t, events[2].data, `"name":"ZeroDivisionError"`)
	})
	t.Run("list and delete", func(t *testing.T) {
		var list struct{ Contexts []contextInfo }
		do("GET", base, "").decode(t, &list)
		assert.Equal(t, []contextInfo{{ID: a, Language: "python", Cwd: Workspace}, {ID: b, Language: "python", Cwd: Workspace}}, list.Contexts)
		assert.Equal(t, http.StatusNoContent, do("DELETE", base+"/"+b, "").status)
		do("GET", base, "").decode(t, &list)
		assert.Equal(t, []contextInfo{{ID: a, Language: "python", Cwd: Workspace}}, list.Contexts)
		do("POST", base+"/"+b+"/run", `{"code": "1"}`).wantError(t, http.StatusNotFound, CodeContextNotFound)
		do("DELETE", base+"/"+b, "").wantError(t, http.StatusNotFound, CodeContextNotFound)
	})
	t.Run("bad requests", func(t *testing.T) {
		do("POST", base, `{"language": "javascript"}`).wantError(t, http.StatusBadRequest, CodeInvalidRequest)
		do("POST", base+"/"+a+"/run", `{}`).wantError(t, http.StatusBadRequest, CodeInvalidRequest)
		do("POST", base+"?from=nowhere", "").wantError(t, http.StatusBadRequest, CodeInvalidRequest)
		do("GET", ts.URL+"/v1/sandbox/nosuchsandbox/contexts", "").wantError(t, http.StatusNotFound, CodeSandboxNotFound)
	})
}

func TestContextTimeoutRoute(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	cid := newCodeContext(t, ts.URL, id, "")
	runCode(t, ts.URL, id, cid, "x = 1")
	r := do("POST", ts.URL+"/v1/sandbox/"+id+"/contexts/"+cid+"/run", `{"code": "while True: pass", "timeout_ms": 200}`)
	require.Equal(t, http.StatusOK, r.status)
	var x runtime.Execution
	r.decode(t, &x)
	require.NotNil(t, x.Error)
	assert.Equal(t, "TimeoutError", x.Error.Name)
	e := do("POST", ts.URL+"/v1/sandbox/"+id+"/contexts/"+cid+"/run", `{"code": "x"}`).wantError(t, http.StatusGone, CodeContextLost)
	assert.Contains(t, e.Message, "timeout")
}

func TestContextForkSnapshotResume(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	id := newSandbox(t, ts.URL)
	cid := newCodeContext(t, ts.URL, id, "")
	runCode(t, ts.URL, id, cid, "d = {i: i for i in range(100_000)}\nf = open('log.txt', 'w')\nf.write('a')")

	r := do("POST", ts.URL+"/v1/sandbox/"+id+"/contexts/"+cid+"/fork", "")
	require.Equal(t, http.StatusOK, r.status, "fork: %s", r.body)
	var fork contextInfo
	r.decode(t, &fork)
	step := "f.write(%q); f.flush(); d[-1] = %q; (len(d), d[-1], open('log.txt').read())"
	assert.Equal(t, []string{"(100001, 'fork', 'afork')"}, resultTexts(runCode(t, ts.URL, id, fork.ID, fmt.Sprintf(step, "fork", "fork"))))
	assert.Equal(t, []string{"(100001, 'orig', 'aorig')"}, resultTexts(runCode(t, ts.URL, id, cid, fmt.Sprintf(step, "orig", "orig"))))

	r = do("GET", ts.URL+"/v1/sandbox/"+id+"/contexts/"+cid+"/snapshot", "")
	require.Equal(t, http.StatusOK, r.status, "snapshot: %s", r.body)
	saved := r.body

	// A second server, as a freshly started wasmbox serve.
	_, ts2 := newTestServer(t, Config{})
	id2 := newSandbox(t, ts2.URL)
	res, err := http.Post(ts2.URL+"/v1/sandbox/"+id2+"/contexts?from=snapshot", "application/octet-stream", bytes.NewReader(saved))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "resume: %s", body)
	var resumed contextInfo
	require.NoError(t, json.Unmarshal(body, &resumed))
	assert.Equal(t, []string{"(100001, 'resumed', 'aorigresumed')"}, resultTexts(runCode(t, ts2.URL, id2, resumed.ID, fmt.Sprintf(step, "resumed", "resumed"))))

	bad := bytes.Clone(saved)
	bad[len(bad)-1] ^= 1
	do("POST", ts2.URL+"/v1/sandbox/"+id2+"/contexts?from=snapshot", string(bad)).wantError(t, http.StatusBadRequest, CodeSnapshotInvalid)
}

func mustRequest(t *testing.T, method, url, body string, headers ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

func TestContextSessionCap(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxContexts: 1})
	id := newSandbox(t, ts.URL)
	base := ts.URL + "/v1/sandbox/" + id + "/contexts"
	cid := newCodeContext(t, ts.URL, id, "")
	do("POST", base, "").wantError(t, http.StatusServiceUnavailable, CodeCapacityExceeded)
	do("POST", base+"/"+cid+"/fork", "").wantError(t, http.StatusServiceUnavailable, CodeCapacityExceeded)
	do("POST", base+"?from=snapshot", "anything").wantError(t, http.StatusServiceUnavailable, CodeCapacityExceeded)
	require.Equal(t, http.StatusNoContent, do("DELETE", base+"/"+cid, "").status)
	newCodeContext(t, ts.URL, id, "")
	// Deleting the sandbox ends its contexts.
	require.Equal(t, http.StatusNoContent, do("DELETE", ts.URL+"/v1/sandbox/"+id, "").status)
	do("GET", base, "").wantError(t, http.StatusNotFound, CodeSandboxNotFound)
}
