package containerapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/server"
	"github.com/wasmbox/wasmbox/internal/service/containerapi"
)

// newContainer serves a container API on an httptest listener.
func newContainer(t *testing.T, cfg containerapi.Config) *httptest.Server {
	t.Helper()
	cfg.Engine = engine
	h, err := containerapi.New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ts.Close()
		h.Close()
	})
	return ts
}

// call sends body (JSON-encoded unless a string) and returns the status
// and the decoded JSON answer.
func call(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		r = strings.NewReader(string(data))
	}
	req, err := http.NewRequest(method, url, r)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// TestErrorAnswers checks the ErrorResponse shape (code, message, context,
// httpStatus, timestamp) of requests the container refuses.
func TestErrorAnswers(t *testing.T) {
	ts := newContainer(t, containerapi.Config{MaxTimeout: time.Minute})
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"unknown route", "GET", "/api/nothing", nil, 404, "UNKNOWN_ERROR"},
		{"malformed JSON", "POST", "/api/execute", `{"command":`, 400, "VALIDATION_FAILED"},
		{"timeout over the maximum", "POST", "/api/execute", map[string]any{"command": "python3 -c pass", "timeoutMs": 120000}, 400, "VALIDATION_FAILED"},
		{"negative timeout", "POST", "/api/execute", map[string]any{"command": "python3 -c pass", "timeoutMs": -1}, 400, "VALIDATION_FAILED"},
		{"empty command", "POST", "/api/process/start", map[string]any{"command": ""}, 400, "INVALID_COMMAND"},
		{"missing path", "POST", "/api/read", map[string]any{}, 400, "VALIDATION_FAILED"},
		{"unknown encoding", "POST", "/api/write", map[string]any{"path": "/tmp/x", "content": "x", "encoding": "latin1"}, 400, "VALIDATION_FAILED"},
		{"read a directory", "POST", "/api/read", map[string]any{"path": "/workspace"}, 400, "IS_DIRECTORY"},
		{"delete a missing file", "POST", "/api/delete", map[string]any{"path": "/workspace/none"}, 404, "FILE_NOT_FOUND"},
		{"bad env name", "POST", "/api/execute", map[string]any{"command": "python3 -c pass", "env": map[string]string{"A=B": "1"}}, 400, "VALIDATION_FAILED"},
		{"bad session env name", "POST", "/api/session/create", map[string]any{"env": map[string]string{"1X": "1"}}, 400, "VALIDATION_FAILED"},
		{"command too long", "POST", "/api/execute", map[string]any{"command": "python3 -c pass #" + strings.Repeat("x", 1<<20)}, 400, "INVALID_COMMAND"},
		{"environment too large", "POST", "/api/execute", map[string]any{"command": "python3 -c pass", "env": map[string]string{"BIG": strings.Repeat("x", 200<<10)}}, 400, "VALIDATION_FAILED"},
		{"process id with a slash", "POST", "/api/process/start", map[string]any{"command": "python3 -c pass", "processId": "a/b"}, 400, "VALIDATION_FAILED"},
		{"session id too long", "POST", "/api/session/create", map[string]any{"id": strings.Repeat("s", 200)}, 400, "VALIDATION_FAILED"},
		{"session delete without id", "POST", "/api/session/delete", map[string]any{}, 400, "VALIDATION_FAILED"},
		{"process not found", "GET", "/api/process/proc_1/logs", nil, 404, "PROCESS_NOT_FOUND"},
		{"wrong method", "GET", "/api/execute", nil, 404, "UNKNOWN_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, tc.method, ts.URL+tc.path, tc.body)
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.code, body["code"])
			assert.EqualValues(t, tc.status, body["httpStatus"])
			assert.NotEmpty(t, body["message"])
			assert.NotNil(t, body["context"])
			assert.NotEmpty(t, body["timestamp"])
		})
	}
}

// TestUnsupportedRoutes checks that what wasmbox does not serve answers
// 501 with the code the SDK turns into the matching typed error.
func TestUnsupportedRoutes(t *testing.T) {
	ts := newContainer(t, containerapi.Config{})
	for _, tc := range []struct{ method, path, code string }{
		{"POST", "/api/port-watch", "PORT_OPERATION_ERROR"},
		{"POST", "/api/git/checkout", "GIT_OPERATION_FAILED"},
		{"POST", "/api/backup/create", "BACKUP_CREATE_FAILED"},
		{"POST", "/api/backup/restore", "BACKUP_RESTORE_FAILED"},
		{"POST", "/api/watch", "WATCH_START_ERROR"},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			status, body := call(t, tc.method, ts.URL+tc.path, map[string]any{})
			assert.Equal(t, http.StatusNotImplemented, status)
			assert.Equal(t, tc.code, body["code"])
			assert.Contains(t, body["message"], "wasmbox")
		})
	}
}

// TestExecuteOutcomes checks what /api/execute answers for a missing working
// directory, a background command and a refused execution slot.
func TestExecuteOutcomes(t *testing.T) {
	t.Run("missing cwd", func(t *testing.T) {
		ts := newContainer(t, containerapi.Config{})
		status, body := call(t, "POST", ts.URL+"/api/execute", map[string]any{"command": "python3 -c pass", "cwd": "/nope"})
		require.Equal(t, http.StatusOK, status)
		assert.EqualValues(t, 1, body["exitCode"])
		assert.Equal(t, "Failed to change directory to /nope", body["stderr"])
	})
	t.Run("background", func(t *testing.T) {
		ts := newContainer(t, containerapi.Config{})
		status, body := call(t, "POST", ts.URL+"/api/execute", map[string]any{"command": "python3 -c \"print(3)\"", "background": true})
		require.Equal(t, http.StatusOK, status)
		id, _ := body["processId"].(string)
		require.NotEmpty(t, id)
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			_, got := call(t, "GET", ts.URL+"/api/process/"+id, nil)
			proc, _ := got["process"].(map[string]any)
			assert.Equal(c, "completed", proc["status"])
		}, time.Minute, 50*time.Millisecond)
		_, logs := call(t, "GET", ts.URL+"/api/process/"+id+"/logs", nil)
		assert.Equal(t, "3\n", logs["stdout"])
	})
	t.Run("session from the header", func(t *testing.T) {
		ts := newContainer(t, containerapi.Config{})
		status, _ := call(t, "POST", ts.URL+"/api/session/create", map[string]any{"id": "h", "env": map[string]string{"WHO": "header"}})
		require.Equal(t, http.StatusOK, status)
		req, err := http.NewRequest("POST", ts.URL+"/api/execute", strings.NewReader(`{"command":"python3 -c \"import os; print(os.environ['WHO'])\""}`))
		require.NoError(t, err)
		req.Header.Set("X-Session-Id", "h")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		assert.Equal(t, "header", body["stdout"])
		assert.Equal(t, "h", body["sessionId"])
	})
	t.Run("no slot", func(t *testing.T) {
		ts := newContainer(t, containerapi.Config{Admit: func(context.Context) (func(), error) {
			return nil, errors.New("every slot is busy")
		}})
		status, body := call(t, "POST", ts.URL+"/api/execute", map[string]any{"command": "python3 -c pass"})
		assert.Equal(t, http.StatusServiceUnavailable, status)
		assert.Equal(t, "CONTAINER_UNAVAILABLE", body["code"])
	})
}

// TestProcessCap checks that a session runs at most MaxProcesses
// background processes at once, and that another session is not held back.
func TestProcessCap(t *testing.T) {
	ts := newContainer(t, containerapi.Config{MaxProcesses: 1})
	sleep := "python3 -c \"import time; time.sleep(60)\""
	status, _ := call(t, "POST", ts.URL+"/api/process/start", map[string]any{"command": sleep})
	require.Equal(t, http.StatusOK, status)
	status, body := call(t, "POST", ts.URL+"/api/process/start", map[string]any{"command": sleep})
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "PROCESS_ERROR", body["code"])
	status, _ = call(t, "POST", ts.URL+"/api/process/start", map[string]any{"command": sleep, "sessionId": "other"})
	assert.Equal(t, http.StatusOK, status)
	_, body = call(t, "DELETE", ts.URL+"/api/process/kill-all", nil)
	assert.EqualValues(t, 2, body["cleanedCount"])
	_, body = call(t, "GET", ts.URL+"/api/process/list?status=killed", nil)
	assert.Len(t, body["processes"], 2)
}

// TestReadStreamMissing checks that a missing file read as a stream is an
// `error` event, as the container sends it.
func TestReadStreamMissing(t *testing.T) {
	ts := newContainer(t, containerapi.Config{})
	resp, err := http.Post(ts.URL+"/api/read/stream", "application/json", strings.NewReader(`{"path":"/workspace/none"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, `data: {"error":"File not found: /workspace/none","type":"error"}`+"\n", line)
}

// TestServerMount checks that `wasmbox serve` mounts the container API at
// /api/ behind its API key.
func TestServerMount(t *testing.T) {
	srv, err := server.New(server.Config{Engine: engine, APIKey: "sesame", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	status, _ := call(t, "GET", ts.URL+"/api/ping", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	req, err := http.NewRequest("GET", ts.URL+"/api/ping", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer sesame")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestNamedContainers checks that each name under /v1/containers/ is a
// container of its own, apart from the default one, removed by DELETE, at
// the cap refused, and removed when idle past the TTL.
func TestNamedContainers(t *testing.T) {
	ts := newContainer(t, containerapi.Config{MaxContainers: 2, ContainerTTL: 200 * time.Millisecond})
	base := ts.URL + containerapi.NamedPrefix
	exists := func(url string) bool {
		status, body := call(t, "POST", url+"/api/exists", map[string]any{"path": "/workspace/f"})
		require.Equal(t, http.StatusOK, status)
		return body["exists"] == true
	}
	status, _ := call(t, "POST", base+"a/api/write", map[string]any{"path": "/workspace/f", "content": "x"})
	require.Equal(t, http.StatusOK, status)
	assert.True(t, exists(base+"a"))
	assert.False(t, exists(base+"b"), "another container")
	assert.False(t, exists(ts.URL), "the default container")

	status, body := call(t, "POST", base+"c/api/exists", map[string]any{"path": "/"})
	assert.Equal(t, http.StatusTooManyRequests, status, "a third container past the cap of 2")
	assert.Equal(t, "CONTAINER_UNAVAILABLE", body["code"])
	status, body = call(t, "POST", base+"bad.name/api/exists", map[string]any{"path": "/"})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "VALIDATION_FAILED", body["code"])

	req, err := http.NewRequest("DELETE", base+"a", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.False(t, exists(base+"a"), "after DELETE, a new container")

	status, _ = call(t, "POST", base+"b/api/write", map[string]any{"path": "/workspace/f", "content": "x"})
	require.Equal(t, http.StatusOK, status)
	require.Eventually(t, func() bool { return !exists(base + "b") }, time.Minute, 300*time.Millisecond, "idle past the TTL")
}

// TestMoveOutOfSpace checks that a move the filesystem has no room for
// fails with NO_SPACE and leaves the source whole and no partial copy.
func TestMoveOutOfSpace(t *testing.T) {
	ts := newContainer(t, containerapi.Config{FSBytes: 64 << 10})
	big := strings.Repeat("x", 40<<10)
	status, _ := call(t, "POST", ts.URL+"/api/write", map[string]any{"path": "/workspace/big", "content": big})
	require.Equal(t, http.StatusOK, status)
	status, body := call(t, "POST", ts.URL+"/api/move", map[string]any{"sourcePath": "/workspace/big", "destinationPath": "/workspace/copy"})
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "NO_SPACE", body["code"])
	_, body = call(t, "POST", ts.URL+"/api/read", map[string]any{"path": "/workspace/big"})
	assert.Equal(t, big, body["content"])
	_, body = call(t, "POST", ts.URL+"/api/exists", map[string]any{"path": "/workspace/copy"})
	assert.Equal(t, false, body["exists"])
}
