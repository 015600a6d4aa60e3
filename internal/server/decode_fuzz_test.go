package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzServer returns a server whose one execution slot is taken and which
// has no wait queue: every request is decoded and checked in full, and one
// that would start an interpreter is refused with 429 instead, so fuzzing
// never runs guest code. It also returns the ID of a session.
func fuzzServer(f *testing.F) (*Server, string) {
	s, err := New(Config{Engine: engine, MaxConcurrency: 1, MaxQueue: -1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(f, err)
	f.Cleanup(s.Close)
	s.limiter.slots <- struct{}{}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("POST", "/v1/sandbox", nil))
	var created struct{ ID string }
	require.NoError(f, json.Unmarshal(rec.Body.Bytes(), &created), "creating a session: %d %s", rec.Code, rec.Body)
	require.NotEmpty(f, created.ID, "creating a session: %d %s", rec.Code, rec.Body)
	return s, created.ID
}

// checkAnswer fails unless rec is a well-formed answer with one of the
// statuses allowed: JSON (an {error, code} object for errors), or an event
// stream from the exec route.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, allowed ...int) {
	t.Helper()
	require.Contains(t, allowed, rec.Code, "status: %s", rec.Body)
	switch ct := rec.Header().Get("Content-Type"); {
	case ct == "text/event-stream":
		require.Equal(t, http.StatusOK, rec.Code, "stream: %s", rec.Body)
		require.Contains(t, rec.Body.String(), "event: exit\n", "stream without an exit event")
	case ct == "application/json":
		require.True(t, json.Valid(rec.Body.Bytes()), "invalid JSON answer: %s", rec.Body)
		if rec.Code >= 400 {
			var e apiError
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e), "error answer %d: %s", rec.Code, rec.Body)
			require.NotEmpty(t, e.Code, "error answer %d is not {error, code}: %s", rec.Code, rec.Body)
			require.NotEmpty(t, e.Message, "error answer %d is not {error, code}: %s", rec.Code, rec.Body)
		}
	case rec.Code == http.StatusOK && ct == "application/octet-stream":
	default:
		require.Failf(t, "unexpected answer", "status %d with Content-Type %q: %s", rec.Code, ct, rec.Body)
	}
}

// FuzzRequestDecoding sends arbitrary bodies to every route that decodes
// JSON. Whatever the body, the answer is a 200, a 400 that explains itself,
// a 403 (a cwd outside /workspace), a 413 or the 429 of a request that got
// as far as needing a slot: never a 500 or a panic.
func FuzzRequestDecoding(f *testing.F) {
	for _, seed := range []string{
		`{"code": "print(1)"}`, `{"code": "import os", "policy": "none"}`, `{"code": 1}`, `{"code": "x", "timeoutMs": -1}`,
		`{"code": "x", "memoryBytes": 1e300}`, `{"code": "x", "timeoutMs": 1e-300}`, `{"code": "x", "allowImports": ["os", ""]}`,
		`{"code": "x"} {}`, `{"code": "x", "extra": 1}`, `[]`, `null`, ``, `{"evalCode": "def evaluate(x): return x", "testCases": [{"input": 1}]}`,
		`{"evalCode": "", "testCases": [{"input": 1, "bogus": 2}]}`, `{"evalCode": "", "testCases": "[]"}`,
		`{"argv": ["python3", "-c", "print(1)"]}`, `{"argv": ["sh", "-c", "ls | wc"]}`, `{"argv": ["python3", "x.py"], "cwd": "../.."}`,
		`{"argv": [], "timeout_ms": 0}`, `{"argv": ["bash", "-lc", "python3 '"]}`, `{"argv": ["python3"], "cwd": "/workspace/\u0000"}`,
	} {
		for route := range 4 {
			f.Add(uint8(route), []byte(seed))
		}
	}
	s, id := fuzzServer(f)
	routes := []string{"/v1/run", "/v1/test", "/v1/validate", "/v1/sandbox/" + id + "/exec"}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", routes[int(route)%len(routes)], bytes.NewReader(body))
		s.Handler().ServeHTTP(rec, req)
		checkAnswer(t, rec, 200, 400, 403, 413, 429)
	})
}

// FuzzWorkspaceFilePath writes and reads session files through the bridge's
// file route with arbitrary paths. No path may reach outside /workspace: a
// write either fails with a JSON error (never a redirect) or lands under it
// (read back through the same path), and the sandbox's top level never
// changes.
func FuzzWorkspaceFilePath(f *testing.F) {
	for _, seed := range []string{
		"a.txt", "dir/b.txt", "../etc/passwd", "..", "%2e%2e/x", "./././x", "a/../../b", "/abs", "//x", "a//b",
		"x\x00y", "%00", strings.Repeat("n", 300), strings.Repeat("d/", 200) + "f", "tmp/../../.wasmbox/sitecustomize.py",
		"workspace/../../tmp/x", "a/./b/../c", "\u2025/x", "%252e%252e/x", "a\\..\\..\\b", "..%2f..%2fx", ".", "...",
	} {
		f.Add(seed, []byte("data"))
	}
	s, _ := fuzzServer(f)
	h := s.Handler()
	top := func(t *testing.T, ss *session) string {
		files, err := ss.sb.ListFiles("/")
		require.NoError(t, err)
		var names []string
		for _, fi := range files {
			names = append(names, fi.Name)
		}
		return strings.Join(names, ",")
	}
	f.Fuzz(func(t *testing.T, rel string, body []byte) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/sandbox", nil))
		var created struct{ ID string }
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &created), "creating a session: %d %s", rec.Code, rec.Body)
		defer h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("DELETE", "/v1/sandbox/"+created.ID, nil))
		ss, ok := s.sessions.acquire(created.ID)
		require.True(t, ok, "no session")
		defer s.sessions.release(ss)
		before := top(t, ss)

		url := "/v1/sandbox/" + created.ID + "/file/" + rel
		req, err := http.NewRequest("PUT", url, bytes.NewReader(body))
		if err != nil {
			return // not a URL a client could send
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec, 200, 400, 403, 404, 405, 413)
		require.Equal(t, before, top(t, ss), "PUT %q changed the sandbox's top level", url)
		if rec.Code != http.StatusOK {
			return
		}
		// It landed in /workspace, where its cleaned path says.
		p := path.Clean("/" + req.URL.Path[len("/v1/sandbox/"+created.ID+"/file/"):])
		require.True(t, strings.HasPrefix(p, Workspace+"/"), "PUT %q answered 200 for %s, outside %s", url, p, Workspace)
		got, err := ss.sb.ReadFile(p)
		require.NoError(t, err, "PUT %q: reading %s", url, p)
		require.Equal(t, string(body), string(got), "PUT %q: %s", url, p)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", req.URL.RequestURI(), nil))
		require.Equal(t, http.StatusOK, rec.Code, "GET %q after PUT: %s", url, rec.Body)
		require.Equal(t, string(body), rec.Body.String(), "GET %q after PUT", url)
	})
}
