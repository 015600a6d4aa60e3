package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// Code contexts (CONTRACT.md, "Code contexts"): live interpreters of a
// session whose state lasts across runs, forked, saved and resumed. A
// context's files are its session's, except a fork's, which has its own
// copy (the session's file routes do not reach it).

// DefaultMaxContexts caps the live contexts of one session.
const DefaultMaxContexts = 8

// Error codes of the context routes.
const (
	CodeContextNotFound  = "context_not_found"
	CodeContextLost      = "context_lost"
	CodeSnapshotInvalid  = "snapshot_invalid"
	CodeSnapshotMismatch = "snapshot_mismatch"
)

// contextSet is a session's contexts.
type contextSet struct {
	mu   sync.Mutex
	byID map[string]*codeContext
}

// codeContext is one context of a session.
type codeContext struct {
	id      string
	ctx     *runtime.Context
	created time.Time
}

// contextInfo is a context as the routes describe it.
type contextInfo struct {
	ID       string `json:"id"`
	Language string `json:"language"`
	Cwd      string `json:"cwd"`
	// Lost says why the context's state was lost; absent while it lives.
	Lost string `json:"lost,omitempty"`
}

func (c *codeContext) info() contextInfo {
	ci := contextInfo{ID: c.id, Language: "python", Cwd: c.ctx.Options().Cwd}
	if err := c.ctx.Err(); err != nil {
		ci.Lost = err.Error()
	}
	return ci
}

// room answers why the session cannot take another context, or nil. The
// caller holds cs.mu.
func (cs *contextSet) room(max int) *apiError {
	live := 0
	for _, cc := range cs.byID {
		if cc.ctx.Err() == nil {
			live++
		}
	}
	if live >= max {
		return &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable,
			Message: fmt.Sprintf("the sandbox holds its limit of %d live contexts; delete one first", max)}
	}
	return nil
}

// full checks, before a context is made, that the session has room for it.
func (cs *contextSet) full(max int) *apiError {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.room(max)
}

// add registers c under a new ID, unless the session holds its cap of live
// contexts (another request may have taken the room since full).
func (cs *contextSet) add(c *runtime.Context, max int) (*codeContext, *apiError) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if e := cs.room(max); e != nil {
		c.Close()
		return nil, e
	}
	if cs.byID == nil {
		cs.byID = map[string]*codeContext{}
	}
	var raw [10]byte
	rand.Read(raw[:])
	cc := &codeContext{id: base32ID.EncodeToString(raw[:]), ctx: c, created: time.Now()}
	cs.byID[cc.id] = cc
	return cc, nil
}

func (cs *contextSet) get(id string) *codeContext {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.byID[id]
}

func (cs *contextSet) remove(id string) bool {
	cs.mu.Lock()
	cc, ok := cs.byID[id]
	delete(cs.byID, id)
	cs.mu.Unlock()
	if ok {
		cc.ctx.Close()
	}
	return ok
}

func (cs *contextSet) list() []contextInfo {
	cs.mu.Lock()
	all := make([]*codeContext, 0, len(cs.byID))
	for _, cc := range cs.byID {
		all = append(all, cc)
	}
	cs.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].created.Before(all[j].created) })
	out := make([]contextInfo, len(all))
	for i, cc := range all {
		out[i] = cc.info()
	}
	return out
}

// closeAll ends every context, when the session goes.
func (cs *contextSet) closeAll() {
	cs.mu.Lock()
	all := cs.byID
	cs.byID = nil
	cs.mu.Unlock()
	for _, cc := range all {
		cc.ctx.Close()
	}
}

// createContextRequest is the body of POST /v1/sandbox/{id}/contexts.
type createContextRequest struct {
	Language *string           `json:"language"`
	Cwd      *string           `json:"cwd"`
	EnvVars  map[string]string `json:"envVars"`
}

// handleCreateContext starts a context, or resumes one from saved bytes
// with ?from=snapshot.
func (s *Server) handleCreateContext(w http.ResponseWriter, r *http.Request) {
	if from := r.URL.Query().Get("from"); from != "" {
		if from != "snapshot" {
			writeError(w, r, badRequest("from must be \"snapshot\", not %q", from))
			return
		}
		s.handleResumeContext(w, r)
		return
	}
	var req createContextRequest // every field is optional: so is the body
	if r.ContentLength != 0 {
		if e := s.decodeJSON(w, r, &req); e != nil {
			writeError(w, r, e)
			return
		}
	}
	if req.Language != nil && *req.Language != "python" && *req.Language != "python3" {
		writeError(w, r, badRequest("language %q is not supported: wasmbox contexts run python", *req.Language))
		return
	}
	cwd := Workspace
	if req.Cwd != nil {
		var ok bool
		if cwd, ok = resolveWorkspacePath(*req.Cwd); !ok {
			writeError(w, r, errorf(http.StatusForbidden, CodeInvalidRequest, "cwd must resolve to a location within %s", Workspace))
			return
		}
	}
	ss, release := s.sessionWithRoom(w, r)
	if ss == nil {
		return
	}
	defer release()
	if !ss.sb.Exists(cwd) {
		if cwd != Workspace {
			writeError(w, r, badRequest("cwd %s does not exist in the sandbox", cwd))
			return
		}
		ss.sb.Mkdir(Workspace)
	}
	var c *runtime.Context
	e := s.contextCall(r, "context", func(ctx context.Context) (err error) {
		c, err = ss.sb.NewContext(ctx, s.contextOptions(cwd, req.EnvVars))
		return err
	})
	s.answerContext(w, r, ss, c, e)
}

// sessionWithRoom looks up the request's session, and answers 503 when it
// holds its cap of live contexts. When it returns a session, release must
// follow.
func (s *Server) sessionWithRoom(w http.ResponseWriter, r *http.Request) (*session, func()) {
	ss, release := s.session(w, r)
	if ss == nil {
		return nil, nil
	}
	if e := ss.contexts.full(s.cfg.MaxContexts); e != nil {
		release()
		writeError(w, r, e)
		return nil, nil
	}
	return ss, release
}

// contextOptions are the settings of the server's contexts. They have no
// Policy: the policy none. The create route has no policy field
// (CONTRACT.md), and a session is a sandbox whose exec route runs any
// command, python3 unguarded included, over the same files, so a guard in
// its contexts would hold nothing back. A context resumed from saved bytes
// keeps the policy saved with it.
func (s *Server) contextOptions(cwd string, env map[string]string) runtime.ContextOptions {
	return runtime.ContextOptions{Timeout: s.cfg.ExecTimeout, MemoryLimit: s.cfg.Memory, MaxOutput: s.cfg.MaxOutput, IdleTTL: s.cfg.SessionTTL, Cwd: cwd, Env: env}
}

// answerContext registers a context made by a route and answers with it.
func (s *Server) answerContext(w http.ResponseWriter, r *http.Request, ss *session, c *runtime.Context, e *apiError) {
	if e != nil {
		writeError(w, r, e)
		return
	}
	cc, e := ss.contexts.add(c, s.cfg.MaxContexts)
	if e != nil {
		writeError(w, r, e)
		return
	}
	writeJSON(w, http.StatusOK, cc.info())
}

// handleResumeContext starts a context from the bytes of a snapshot route.
func (s *Server) handleResumeContext(w http.ResponseWriter, r *http.Request) {
	ss, release := s.sessionWithRoom(w, r)
	if ss == nil {
		return
	}
	defer release()
	// A saved context holds up to its memory and its files.
	data, e := readBodyUpTo(w, r, int64(s.cfg.Memory)+2*s.cfg.SessionFSBytes+1<<20)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var c *runtime.Context
	e = s.contextCall(r, "context", func(ctx context.Context) (err error) {
		c, err = s.engine.ResumeContext(ctx, ss.sb, data)
		return err
	})
	s.answerContext(w, r, ss, c, e)
}

// contextCall runs fn, a context route's call into the runtime, in an
// execution slot, and returns the answer to give if it failed.
func (s *Server) contextCall(r *http.Request, kind string, fn func(ctx context.Context) error) *apiError {
	var err error
	e := s.execute(r, kind, admission{}, func(ctx context.Context) (string, error) {
		if err = fn(ctx); err != nil {
			return "error", err
		}
		return "ok", nil
	})
	return s.contextFailure(err, e)
}

// liveContext looks up the request's session and context, and answers 404
// when there is none and 410 when its state was lost. When it returns a
// context, release must follow.
func (s *Server) liveContext(w http.ResponseWriter, r *http.Request) (*session, *codeContext, func()) {
	ss, release := s.session(w, r)
	if ss == nil {
		return nil, nil, nil
	}
	cc := ss.contexts.get(r.PathValue("cid"))
	if cc == nil {
		release()
		writeError(w, r, errorf(http.StatusNotFound, CodeContextNotFound, "no context %s in sandbox %s: it was deleted or never created", r.PathValue("cid"), ss.id))
		return nil, nil, nil
	}
	if err := cc.ctx.Err(); err != nil {
		release()
		writeError(w, r, contextError(err))
		return nil, nil, nil
	}
	return ss, cc, release
}

func (s *Server) handleListContexts(w http.ResponseWriter, r *http.Request) {
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	writeJSON(w, http.StatusOK, map[string][]contextInfo{"contexts": ss.contexts.list()})
}

func (s *Server) handleDeleteContext(w http.ResponseWriter, r *http.Request) {
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	if !ss.contexts.remove(r.PathValue("cid")) {
		writeError(w, r, errorf(http.StatusNotFound, CodeContextNotFound, "no context %s in sandbox %s", r.PathValue("cid"), ss.id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// runContextRequest is the body of POST …/contexts/{cid}/run.
type runContextRequest struct {
	Code      *string  `json:"code"`
	TimeoutMs *float64 `json:"timeout_ms"`
}

// handleRunContext runs a cell. With Accept: text/event-stream it streams
// `stdout` and `stderr` events ({"text"}) as the cell writes, then a
// `result` event per result, an `error` event if the cell raised, and
// `complete` ({"executionCount"}); otherwise it answers the Execution.
func (s *Server) handleRunContext(w http.ResponseWriter, r *http.Request) {
	var req runContextRequest
	if e := s.decodeJSON(w, r, &req); e != nil {
		writeError(w, r, e)
		return
	}
	if req.Code == nil {
		writeError(w, r, badRequest("code is required"))
		return
	}
	timeout, e := s.timeoutOf("timeout_ms", req.TimeoutMs, s.cfg.ExecTimeout)
	if e != nil {
		writeError(w, r, e)
		return
	}
	ss, cc, release := s.liveContext(w, r)
	if cc == nil {
		return
	}
	defer release()
	stream := strings.Contains(r.Header.Get("Accept"), "text/event-stream")
	var st *sseStream
	var x *runtime.Execution
	e = s.execute(r, "context_run", admission{}, func(ctx context.Context) (string, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(ss.ctx, cancel)()
		opts := runtime.RunOptions{Timeout: timeout}
		if stream {
			st = newSSEStream(w, cancel)
			opts.Stdout, opts.Stderr = textEvents{st, "stdout"}, textEvents{st, "stderr"}
		}
		var err error
		x, err = cc.ctx.Run(ctx, *req.Code, opts)
		if x == nil && (errors.Is(err, runtime.ErrContextLost) || errors.Is(err, runtime.ErrContextClosed)) {
			return "lost", nil // lost or deleted since the check above: answered below
		}
		return runOutcome(x), err
	})
	switch {
	case e != nil && st == nil:
		writeError(w, r, e)
	case e != nil:
		st.jsonEvent("error", e)
	case x == nil:
		lost := contextError(cc.ctx.Err())
		if st == nil {
			writeError(w, r, lost)
		} else {
			st.jsonEvent("error", lost)
		}
	case st == nil:
		writeJSON(w, http.StatusOK, x)
	default:
		for _, res := range x.Results {
			st.jsonEvent("result", res)
		}
		if x.Error != nil {
			st.jsonEvent("error", x.Error)
		}
		st.jsonEvent("complete", map[string]int{"executionCount": x.ExecutionCount})
	}
}

// runOutcome names how a cell went, for metrics.
func runOutcome(x *runtime.Execution) string {
	switch {
	case x == nil:
		return "sandbox_error"
	case x.Error == nil:
		return "ok"
	case x.Error.Name == "TimeoutError":
		return "timeout"
	}
	return "error"
}

// textEvents sends each write as an event {"text": ...}.
type textEvents struct {
	st   *sseStream
	name string
}

func (t textEvents) Write(p []byte) (int, error) {
	t.st.jsonEvent(t.name, map[string]string{"text": string(p)})
	return len(p), nil
}

// contextError is the answer for a context that cannot run.
func contextError(err error) *apiError {
	switch {
	case errors.Is(err, runtime.ErrContextLost):
		return errorf(http.StatusGone, CodeContextLost, "%v; delete it and create another", err)
	case errors.Is(err, runtime.ErrContextClosed):
		return errorf(http.StatusNotFound, CodeContextNotFound, "the context was deleted")
	}
	return errorf(http.StatusInternalServerError, CodeSandboxError, "the context failed: %v", err)
}

// handleForkContext makes a new context with the state of another.
func (s *Server) handleForkContext(w http.ResponseWriter, r *http.Request) {
	ss, cc, release := s.liveContext(w, r)
	if cc == nil {
		return
	}
	defer release()
	if e := ss.contexts.full(s.cfg.MaxContexts); e != nil {
		writeError(w, r, e)
		return
	}
	var fork *runtime.Context
	e := s.contextCall(r, "context_fork", func(ctx context.Context) (err error) {
		fork, err = cc.ctx.Fork(ctx)
		return err
	})
	s.answerContext(w, r, ss, fork, e)
}

// handleSnapshotContext answers a context's saved bytes.
func (s *Server) handleSnapshotContext(w http.ResponseWriter, r *http.Request) {
	_, cc, release := s.liveContext(w, r)
	if cc == nil {
		return
	}
	defer release()
	var data []byte
	e := s.contextCall(r, "context_save", func(ctx context.Context) (err error) {
		data, err = cc.ctx.Save(ctx)
		return err
	})
	if e != nil {
		writeError(w, r, e)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// contextFailure picks the answer for a context call that failed with err:
// its own, when err says more than execute's generic answer e.
func (s *Server) contextFailure(err error, e *apiError) *apiError {
	switch {
	case e == nil || err == nil:
		return e
	case errors.Is(err, runtime.ErrContextLost), errors.Is(err, runtime.ErrContextClosed):
		return contextError(err)
	case errors.Is(err, runtime.ErrTooManyContexts):
		return &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable, Message: err.Error()}
	case errors.Is(err, runtime.ErrSnapshotCorrupt):
		return errorf(http.StatusBadRequest, CodeSnapshotInvalid, "%v", err)
	case errors.Is(err, runtime.ErrSnapshotMismatch):
		return errorf(http.StatusConflict, CodeSnapshotMismatch, "%v", err)
	case errors.Is(err, runtime.ErrNoSpace):
		return errorf(http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "%v", err)
	}
	return e
}

// contextRoutes registers the context routes.
func (s *Server) contextRoutes(mux *http.ServeMux) {
	const base = "/v1/sandbox/{id}/contexts"
	s.handle(mux, base, methods{"POST": s.withSandboxID(s.handleCreateContext), "GET": s.withSandboxID(s.handleListContexts)})
	s.handle(mux, base+"/{cid}", methods{"DELETE": s.withSandboxID(s.handleDeleteContext)})
	s.handle(mux, base+"/{cid}/run", methods{"POST": s.withSandboxID(s.handleRunContext)})
	s.handle(mux, base+"/{cid}/fork", methods{"POST": s.withSandboxID(s.handleForkContext)})
	s.handle(mux, base+"/{cid}/snapshot", methods{"GET": s.withSandboxID(s.handleSnapshotContext)})
}
