package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// The Cloudflare Sandbox bridge routes. Field names, status codes, error
// codes and SSE events follow the OpenAPI schema in @cloudflare/sandbox
// (dist/bridge/index.js); where wasmbox differs, README.md says so.

// sandboxIDPattern is the bridge's sandbox ID format.
var sandboxIDPattern = regexp.MustCompile(`^[a-z2-7]{1,128}$`)

// bridgeMaxBody is the bridge's limit on a file written and on a workspace
// archive hydrated: 32 MiB.
const bridgeMaxBody = 32 << 20

// execRequest is the body of POST /v1/sandbox/{id}/exec (ExecRequest).
// Other fields are ignored, as the bridge ignores them.
type execRequest struct {
	Argv      []string `json:"argv"`
	TimeoutMs *float64 `json:"timeout_ms"`
	Cwd       *string  `json:"cwd"`
}

// exitEvent is the data of the terminal `exit` event.
type exitEvent struct {
	ExitCode int `json:"exit_code"`
}

// withSandboxID checks the {id} path value's format (400 otherwise) and
// records it for the request log.
func (s *Server) withSandboxID(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !sandboxIDPattern.MatchString(id) {
			writeError(w, r, badRequest("Invalid sandbox ID format"))
			return
		}
		setSandboxID(r, id)
		h(w, r)
	}
}

// sessionIDHeader returns the Session-Id header of an exec or file request,
// or "" when there is none; 400 when it is malformed, as in the bridge.
func sessionIDHeader(r *http.Request) (string, *apiError) {
	sid := r.Header.Get("Session-Id")
	if sid != "" && !validSessionID(sid) {
		return "", badRequest("Invalid session ID format: the Session-Id header must match %s and not contain \"..\"", sessionIDPattern)
	}
	return sid, nil
}

// session looks up the request's sandbox and marks it in use, or answers
// 404; the caller must call release when it is not nil.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (ss *session, release func()) {
	id := r.PathValue("id")
	ss, ok := s.sessions.acquire(id)
	if !ok {
		writeError(w, r, errorf(http.StatusNotFound, CodeSandboxNotFound, "no sandbox %s: it was deleted, expired or never created", id))
		return nil, nil
	}
	return ss, func() { s.sessions.release(ss) }
}

func (s *Server) handleCreateSandbox(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.draining:
		writeError(w, r, shuttingDown())
		return
	default:
	}
	ss, err := s.sessions.create()
	switch {
	case errors.Is(err, errTooManySessions):
		s.metrics.shed.WithLabelValues("503").Inc()
		writeError(w, r, &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable,
			Message: fmt.Sprintf("instance limit reached: %d sandboxes are alive; delete one or retry later", s.cfg.MaxSessions)})
		return
	case errors.Is(err, errNoHostMemory):
		s.metrics.shed.WithLabelValues("503").Inc()
		writeError(w, r, &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable,
			Message: fmt.Sprintf("the host memory budget (%d MiB, --max-host-memory) is taken by running executions and live sandboxes; delete a sandbox or retry later", s.cfg.MaxHostMemory>>20)})
		return
	case err != nil:
		writeError(w, r, errorf(http.StatusInternalServerError, CodeSandboxError, "creating the sandbox: %v", err))
		return
	}
	setSandboxID(r, ss.id)
	writeJSON(w, http.StatusOK, map[string]string{"id": ss.id})
}

// handleDeleteSandbox destroys a sandbox. Like the bridge, it is
// best-effort: an unknown ID also gets 204.
func (s *Server) handleDeleteSandbox(w http.ResponseWriter, r *http.Request) {
	if !s.sessions.remove(r.PathValue("id"), "deleted") {
		setOutcome(r, "absent")
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleRunning always answers 200, as in the bridge: running is false for
// an unknown, deleted or expired sandbox.
func (s *Server) handleRunning(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"running": s.sessions.exists(r.PathValue("id"))})
}

// filePath resolves the {path...} of a file route: 400 when empty, 403
// outside /workspace.
func filePath(r *http.Request) (string, *apiError) {
	rel := r.PathValue("path")
	if rel == "" {
		return "", badRequest("file path must not be empty")
	}
	p, ok := resolveWorkspacePath("/" + rel)
	if !ok {
		return "", errorf(http.StatusForbidden, CodeInvalidRequest, "path must resolve to a location within %s", Workspace)
	}
	return p, nil
}

func (s *Server) handleReadFile(w http.ResponseWriter, r *http.Request) {
	p, e := filePath(r)
	if e == nil {
		_, e = sessionIDHeader(r) // checked; files are shared by the sessions
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	data, err := ss.sb.ReadFile(p)
	if err != nil {
		writeError(w, r, fileError("read", p, err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

func (s *Server) handleWriteFile(w http.ResponseWriter, r *http.Request) {
	p, e := filePath(r)
	if e == nil {
		_, e = sessionIDHeader(r) // checked; files are shared by the sessions
	}
	if e != nil {
		writeError(w, r, e)
		return
	}
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	data, e := readBodyUpTo(w, r, bridgeMaxBody)
	if e != nil {
		writeError(w, r, e)
		return
	}
	if err := ss.sb.WriteFile(p, data); err != nil {
		writeError(w, r, fileError("write", p, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// handleExec runs argv in the sandbox's shell (["sh", "-c", SCRIPT],
// ["bash", "-lc", SCRIPT] or a plain argv) in cwd, and streams its output as SSE:
// `stdout` and `stderr` events of base64 chunks as the program writes, then
// `exit` ({"exit_code": N}) or `error` ({"error", "code"}). Errors found
// before the stream starts (bad body, no such sandbox, no free slot) are
// JSON answers with their status.
func (s *Server) handleExec(w http.ResponseWriter, r *http.Request) {
	var req execRequest
	if e := s.decodeBridgeJSON(w, r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	if len(req.Argv) == 0 {
		writeError(w, r, badRequest("argv must be a non-empty array"))
		return
	}
	sid, e := sessionIDHeader(r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var cwd string
	if req.Cwd != nil {
		var ok bool
		if cwd, ok = resolveWorkspacePath(*req.Cwd); !ok {
			writeError(w, r, errorf(http.StatusForbidden, CodeInvalidRequest, "cwd must resolve to a location within %s", Workspace))
			return
		}
	}
	timeout, e := s.timeoutOf("timeout_ms", req.TimeoutMs, s.cfg.ExecTimeout)
	if e != nil {
		writeError(w, r, e)
		return
	}
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	es := newExecSession("", Workspace, nil) // no Session-Id: a fresh start
	if sid != "" {
		var err error
		if es, err = ss.execSession(sid); err != nil {
			writeError(w, r, errorf(http.StatusServiceUnavailable, CodeCapacityExceeded, "%v", err))
			return
		}
	}
	done, err := es.wait(r.Context())
	switch {
	case errors.Is(err, errSessionDeleted):
		writeError(w, r, sessionError("session %s was deleted before the command started", es.id))
		return
	case err != nil:
		writeError(w, r, clientClosed())
		return
	}
	defer done()
	if cwd == "" {
		cwd = es.cwd
	}
	if !ss.sb.Exists(cwd) {
		if cwd != Workspace {
			writeError(w, r, badRequest("cwd %s does not exist in the sandbox", cwd))
			return
		}
		ss.sb.Mkdir(Workspace)
	}
	var st *sseStream
	e = s.execute(r, "exec", admission{bytes: int64(s.cfg.Memory)}, func(ctx context.Context) (string, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(ss.ctx, cancel)()
		defer context.AfterFunc(es.ctx, cancel)()
		st = newSSEStream(w, cancel)
		out := &outputEvents{s: st}
		res, err := ss.sb.ExecArgv(ctx, req.Argv, runtime.ExecOptions{
			Stdout:     out.writer("stdout"),
			Stderr:     out.writer("stderr"),
			Env:        execEnv(es.env),
			Timeout:    timeout,
			Dir:        cwd,
			StreamOnly: true,
		})
		out.flush()
		switch {
		case err == nil:
			if msg := outcomeNote(res, timeout, s.cfg.Memory); msg != "" {
				st.event("stderr", encodeChunk(msg))
			}
			st.jsonEvent("exit", exitEvent{res.ExitCode})
		case ss.ctx.Err() != nil:
			st.jsonEvent("error", apiError{Code: CodeExecError, Message: "the sandbox was deleted or expired while the command ran"})
		case es.ctx.Err() != nil:
			st.jsonEvent("error", apiError{Code: CodeExecError, Message: fmt.Sprintf("session %s was deleted while the command ran", es.id)})
		case s.hardStop.Err() != nil:
			st.jsonEvent("error", apiError{Code: CodeExecError, Message: "the server shut down while the command ran; it was canceled"})
		default:
			st.jsonEvent("error", apiError{Code: CodeExecError, Message: err.Error()})
		}
		return execOutcome(res), err
	})
	if e != nil && st == nil {
		writeError(w, r, e)
	}
}

// outcomeNote is what the streams alone do not show about how a program
// ended, as a stderr line, or "".
func outcomeNote(res *runtime.ExecResult, timeout time.Duration, memory uint64) string {
	switch {
	case res.TimedOut:
		return fmt.Sprintf("wasmbox: timed out after %v\n", timeout)
	case res.MemoryExceeded && res.ExitCode != 0:
		return fmt.Sprintf("wasmbox: the program reached the memory limit of %d MiB\n", memory>>20)
	}
	return ""
}

// execEnv is the environment of a session exec: the session's variables,
// and PYTHONUNBUFFERED so python3's output streams as it is written.
func execEnv(session map[string]string) map[string]string {
	env := maps.Clone(session)
	if env == nil {
		env = map[string]string{}
	}
	env["PYTHONUNBUFFERED"] = "1"
	return env
}

func encodeChunk(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
