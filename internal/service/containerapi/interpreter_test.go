package containerapi_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/service/containerapi"
	"github.com/wasmbox/wasmbox/runtime"
)

// newCodeContext creates a context and returns its id.
func newCodeContext(t *testing.T, base string, body map[string]any) string {
	t.Helper()
	status, out := call(t, "POST", base+"/api/contexts", body)
	require.Equal(t, http.StatusOK, status, "%v", out)
	id, ok := out["contextId"].(string)
	require.True(t, ok, "no contextId in %v", out)
	return id
}

// runCode posts to /api/execute/code and returns the stream's events.
func runCode(t *testing.T, base string, body map[string]any) []map[string]any {
	t.Helper()
	data, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(base+"/api/execute/code", "application/json", strings.NewReader(string(data)))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var events []map[string]any
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		payload, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(payload), &ev), "event %q", payload)
		events = append(events, ev)
	}
	require.NoError(t, sc.Err())
	return events
}

func eventTypes(events []map[string]any) []string {
	types := make([]string, len(events))
	for i, ev := range events {
		types[i] = ev["type"].(string)
	}
	return types
}

// TestCodeContexts checks state kept across runs, output, results, errors,
// isolation, listing and deleting, as the SDK's InterpreterClient sees them.
func TestCodeContexts(t *testing.T) {
	ts := newContainer(t, containerapi.Config{})
	a := newCodeContext(t, ts.URL, map[string]any{"language": "python", "cwd": "/workspace"})
	b := newCodeContext(t, ts.URL, map[string]any{"env_vars": map[string]string{"GREETING": "hi"}})

	t.Run("state", func(t *testing.T) {
		evs := runCode(t, ts.URL, map[string]any{"context_id": a, "code": "x = 41"})
		assert.Equal(t, []string{"execution_complete"}, eventTypes(evs))
		evs = runCode(t, ts.URL, map[string]any{"context_id": a, "code": "x + 1", "language": "python"})
		require.Equal(t, []string{"result", "execution_complete"}, eventTypes(evs))
		assert.Equal(t, "42", evs[0]["text"])
		assert.Equal(t, map[string]any{}, evs[0]["metadata"])
		assert.Equal(t, 2.0, evs[1]["execution_count"])
	})
	t.Run("output", func(t *testing.T) {
		evs := runCode(t, ts.URL, map[string]any{"context_id": a, "code": "import sys\nprint('one')\nprint('two')\nprint('err', file=sys.stderr)\nprint('no newline', end='')"})
		require.Equal(t, []string{"stdout", "stdout", "stderr", "stdout", "execution_complete"}, eventTypes(evs))
		assert.Equal(t, "one\n", evs[0]["text"])
		assert.Equal(t, "two\n", evs[1]["text"])
		assert.Equal(t, "err\n", evs[2]["text"])
		assert.Equal(t, "no newline", evs[3]["text"])
		assert.IsType(t, 0.0, evs[0]["timestamp"])
	})
	t.Run("rich result", func(t *testing.T) {
		code := "class T:\n    def __repr__(self): return 'T()'\n    def _repr_html_(self): return '<b>t</b>'\nprint('a', 'b')\nT()"
		evs := runCode(t, ts.URL, map[string]any{"context_id": a, "code": code})
		require.Equal(t, []string{"stdout", "result", "execution_complete"}, eventTypes(evs))
		assert.Equal(t, "a b\n", evs[0]["text"])
		assert.Equal(t, "T()", evs[1]["text"])
		assert.Equal(t, "<b>t</b>", evs[1]["html"])
	})
	t.Run("exception", func(t *testing.T) {
		evs := runCode(t, ts.URL, map[string]any{"context_id": a, "code": "1/0"})
		require.Equal(t, []string{"error"}, eventTypes(evs))
		assert.Equal(t, "ZeroDivisionError", evs[0]["ename"])
		assert.Equal(t, "division by zero", evs[0]["evalue"])
		assert.NotEmpty(t, evs[0]["traceback"])
	})
	t.Run("isolated", func(t *testing.T) {
		evs := runCode(t, ts.URL, map[string]any{"context_id": b, "code": "x"})
		require.Equal(t, []string{"error"}, eventTypes(evs))
		assert.Equal(t, "NameError", evs[0]["ename"])
		evs = runCode(t, ts.URL, map[string]any{"context_id": b, "code": "import os; os.environ['GREETING'], os.getcwd()"})
		require.Equal(t, []string{"result", "execution_complete"}, eventTypes(evs))
		assert.Equal(t, "('hi', '/workspace')", evs[0]["text"])
	})
	t.Run("list", func(t *testing.T) {
		status, out := call(t, "GET", ts.URL+"/api/contexts", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []any{
			map[string]any{"id": a, "language": "python", "cwd": "/workspace"},
			map[string]any{"id": b, "language": "python", "cwd": "/workspace"},
		}, out["contexts"])
	})
	t.Run("delete", func(t *testing.T) {
		status, out := call(t, "DELETE", ts.URL+"/api/contexts/"+a, nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, a, out["contextId"])
		status, out = call(t, "POST", ts.URL+"/api/execute/code", map[string]any{"context_id": a, "code": "x"})
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, "CONTEXT_NOT_FOUND", out["code"])
		assert.Equal(t, map[string]any{"contextId": a}, out["context"])
		status, out = call(t, "DELETE", ts.URL+"/api/contexts/"+a, nil)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, "CONTEXT_NOT_FOUND", out["code"])
	})
}

// TestCodeContextTimeout checks that a run past its timeout is an error
// event and that the context, whose state went with it, refuses later runs.
func TestCodeContextTimeout(t *testing.T) {
	ts := newContainer(t, containerapi.Config{})
	id := newCodeContext(t, ts.URL, nil)
	evs := runCode(t, ts.URL, map[string]any{"context_id": id, "code": "print('start', flush=True)\nwhile True: pass", "timeout_ms": 500})
	require.Equal(t, []string{"stdout", "error"}, eventTypes(evs))
	assert.Equal(t, "TimeoutError", evs[1]["ename"])
	assert.Contains(t, evs[1]["evalue"], "timeout")

	status, out := call(t, "POST", ts.URL+"/api/execute/code", map[string]any{"context_id": id, "code": "1"})
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "INTERNAL_ERROR", out["code"])
	assert.Contains(t, out["message"], "delete and recreate the context")
	status, _ = call(t, "GET", ts.URL+"/api/contexts", nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = call(t, "DELETE", ts.URL+"/api/contexts/"+id, nil)
	assert.Equal(t, http.StatusOK, status)
}

// TestCodeContextRefusals checks the answers for requests the interpreter
// routes refuse.
func TestCodeContextRefusals(t *testing.T) {
	ts := newContainer(t, containerapi.Config{MaxContexts: 1, MaxTimeout: time.Minute})
	id := newCodeContext(t, ts.URL, nil)
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"javascript", "POST", "/api/contexts", map[string]any{"language": "javascript"}, 501, "JAVASCRIPT_NOT_AVAILABLE"},
		{"typescript", "POST", "/api/contexts", map[string]any{"language": "typescript"}, 501, "JAVASCRIPT_NOT_AVAILABLE"},
		{"unknown language", "POST", "/api/contexts", map[string]any{"language": "ruby"}, 400, "VALIDATION_FAILED"},
		{"bad env name", "POST", "/api/contexts", map[string]any{"env_vars": map[string]string{"A=B": "1"}}, 400, "VALIDATION_FAILED"},
		{"over the cap", "POST", "/api/contexts", map[string]any{}, 429, "RESOURCE_BUSY"},
		{"no context_id", "POST", "/api/execute/code", map[string]any{"code": "1"}, 400, "VALIDATION_FAILED"},
		{"unknown context", "POST", "/api/execute/code", map[string]any{"context_id": "nope", "code": "1"}, 404, "CONTEXT_NOT_FOUND"},
		{"run javascript", "POST", "/api/execute/code", map[string]any{"context_id": id, "code": "1", "language": "js"}, 501, "JAVASCRIPT_NOT_AVAILABLE"},
		{"timeout over the maximum", "POST", "/api/execute/code", map[string]any{"context_id": id, "code": "1", "timeout_ms": 120000}, 400, "VALIDATION_FAILED"},
		{"malformed JSON", "POST", "/api/execute/code", `{"context_id":`, 400, "VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, tc.method, ts.URL+tc.path, tc.body)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, body["code"])
			assert.NotEmpty(t, body["message"])
		})
	}
	status, out := call(t, "GET", ts.URL+"/api/interpreter/health", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "healthy", out["status"])
}

// TestCodeContextsEndWithContainer checks that removing a named container,
// and closing the handler, closes the contexts they held.
func TestCodeContextsEndWithContainer(t *testing.T) {
	h, err := containerapi.New(containerapi.Config{Engine: engine})
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	defer ts.Close()
	named := ts.URL + containerapi.NamedPrefix + "ctx"
	newCodeContext(t, named, nil)
	newCodeContext(t, ts.URL, nil)
	inNamed, inDefault := containerapi.Contexts(h, "ctx"), containerapi.Contexts(h, "")
	require.Len(t, inNamed, 1)
	require.Len(t, inDefault, 1)

	req, err := http.NewRequest("DELETE", named, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.ErrorIs(t, inNamed[0].Err(), runtime.ErrContextClosed)
	assert.NoError(t, inDefault[0].Err())

	h.Close()
	assert.ErrorIs(t, inDefault[0].Err(), runtime.ErrContextClosed)
}

// TestCodeContextMemoryBudget checks that each context holds its memory in
// the host budget (Config.Reserve) until it is deleted or its state is lost.
func TestCodeContextMemoryBudget(t *testing.T) {
	var mu sync.Mutex
	var reserved int64
	reserve := func(n int64) (func(), error) {
		mu.Lock()
		defer mu.Unlock()
		if reserved > 0 {
			return nil, errors.New("the test's budget holds one context")
		}
		reserved += n
		return func() {
			mu.Lock()
			defer mu.Unlock()
			reserved -= n
		}, nil
	}
	held := func() int64 {
		mu.Lock()
		defer mu.Unlock()
		return reserved
	}
	ts := newContainer(t, containerapi.Config{Reserve: reserve, Memory: 64 << 20})

	a := newCodeContext(t, ts.URL, nil)
	assert.Equal(t, int64(64<<20), held())
	status, out := call(t, "POST", ts.URL+"/api/contexts", map[string]any{})
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Equal(t, "CONTAINER_UNAVAILABLE", out["code"])
	assert.Contains(t, out["message"], "delete a code context")

	status, _ = call(t, "DELETE", ts.URL+"/api/contexts/"+a, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, int64(0), held())

	b := newCodeContext(t, ts.URL, nil)
	evs := runCode(t, ts.URL, map[string]any{"context_id": b, "code": "while True: pass", "timeout_ms": 300})
	require.Equal(t, []string{"error"}, eventTypes(evs))
	assert.Equal(t, int64(0), held(), "a context whose state was lost holds no memory")
	newCodeContext(t, ts.URL, nil)
	assert.Equal(t, int64(64<<20), held())
}
