package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// The bridge's execution sessions: named contexts within one sandbox, each
// with the working directory and environment variables its execs start
// with. A client creates one with POST /v1/sandbox/{id}/session (or by
// naming a new one in the Session-Id header of an exec, which creates it
// with /workspace and no variables, as the bridge's container does), runs
// execs in it with the Session-Id header, and deletes it with DELETE
// /v1/sandbox/{id}/session/{sid}. Execs without the header start afresh in
// /workspace. Execs in one session run one at a time, as in the bridge's
// container; the sandbox's files are shared by all its sessions.

// maxExecSessions caps the execution sessions of one sandbox.
const maxExecSessions = 256

// sessionIDPattern is the bridge's Session-Id format; ".." is also refused.
var sessionIDPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,128}$`)

func validSessionID(id string) bool {
	return sessionIDPattern.MatchString(id) && !strings.Contains(id, "..")
}

// execSession is one execution session.
type execSession struct {
	id string
	// cwd and env are what the session's execs start with: a directory
	// under /workspace and the variables added to the environment. They
	// are read, and may be changed, only by the exec holding the turn.
	cwd string
	env map[string]string
	// turn holds a token while an exec runs in the session.
	turn chan struct{}
	// ctx is canceled when the session is deleted, which ends its exec.
	ctx    context.Context
	cancel context.CancelFunc
}

func newExecSession(id, cwd string, env map[string]string) *execSession {
	es := &execSession{id: id, cwd: cwd, env: env, turn: make(chan struct{}, 1)}
	es.ctx, es.cancel = context.WithCancel(context.Background())
	return es
}

// wait takes the session's turn, or fails when ctx ends or the session is
// deleted first; the caller must call the returned done.
func (es *execSession) wait(ctx context.Context) (done func(), err error) {
	select {
	case es.turn <- struct{}{}:
		return func() { <-es.turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-es.ctx.Done():
		return nil, errSessionDeleted
	}
}

var (
	errSessionExists       = errors.New("session already exists")
	errSessionDeleted      = errors.New("the session was deleted")
	errTooManyExecSessions = fmt.Errorf("the sandbox has %d sessions, the most it may hold: delete one first", maxExecSessions)
)

// execSession returns the sandbox's execution session id, creating it
// with /workspace and no variables when there is none.
func (ss *session) execSession(id string) (*execSession, error) {
	ss.execMu.Lock()
	defer ss.execMu.Unlock()
	if es, ok := ss.execs[id]; ok {
		return es, nil
	}
	return ss.addExecSessionLocked(newExecSession(id, Workspace, nil))
}

// addExecSession adds es, failing with errSessionExists if its ID is taken.
func (ss *session) addExecSession(es *execSession) (*execSession, error) {
	ss.execMu.Lock()
	defer ss.execMu.Unlock()
	if _, ok := ss.execs[es.id]; ok {
		return nil, errSessionExists
	}
	return ss.addExecSessionLocked(es)
}

func (ss *session) addExecSessionLocked(es *execSession) (*execSession, error) {
	if len(ss.execs) >= maxExecSessions {
		return nil, errTooManyExecSessions
	}
	if ss.execs == nil {
		ss.execs = map[string]*execSession{}
	}
	ss.execs[es.id] = es
	return es, nil
}

// deleteExecSession removes the session id, ending its running exec; it
// reports whether there was one.
func (ss *session) deleteExecSession(id string) bool {
	ss.execMu.Lock()
	es, ok := ss.execs[id]
	delete(ss.execs, id)
	ss.execMu.Unlock()
	if ok {
		es.cancel()
	}
	return ok
}

// createSessionRequest is the body of POST /v1/sandbox/{id}/session; all
// fields are optional, and others are ignored, as in the bridge.
type createSessionRequest struct {
	ID  *string            `json:"id"`
	Cwd *string            `json:"cwd"`
	Env map[string]*string `json:"env"`
}

// sessionError is the bridge's answer when a session cannot be created or
// deleted.
func sessionError(format string, a ...any) *apiError {
	return errorf(http.StatusBadGateway, CodeSessionError, format, a...)
}

// handleCreateExecSession creates an execution session: 200 {"id"}. A
// malformed body is 400; what the bridge's container refuses (a taken ID,
// a cwd outside /workspace or missing) is 502 session_error, as there.
func (s *Server) handleCreateExecSession(w http.ResponseWriter, r *http.Request) {
	body, e := s.readBody(w, r)
	if e != nil {
		writeError(w, r, e)
		return
	}
	var req createSessionRequest
	if len(strings.TrimSpace(string(body))) > 0 {
		if e := decodeObject(body, &req, false); e != nil {
			writeError(w, r, e)
			return
		}
	}
	id := "session-" + newSessionSuffix()
	if req.ID != nil {
		if id = *req.ID; !validSessionID(id) {
			writeError(w, r, badRequest("Invalid session ID format: %q must match %s and not contain \"..\"", id, sessionIDPattern))
			return
		}
	}
	env := map[string]string{}
	for k, v := range req.Env {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			writeError(w, r, badRequest("env: %q is not a variable name", k))
			return
		}
		if v == nil {
			continue // as the bridge drops null values
		}
		if strings.ContainsRune(*v, 0) {
			writeError(w, r, badRequest("env: the value of %s holds a NUL byte", k))
			return
		}
		env[k] = *v
	}
	cwd := Workspace
	if req.Cwd != nil && *req.Cwd != "" {
		var ok bool
		if cwd, ok = resolveWorkspacePath(*req.Cwd); !ok {
			writeError(w, r, sessionError("session create failed: cwd must resolve to a location within %s", Workspace))
			return
		}
	}
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	if cwd == Workspace {
		ss.sb.Mkdir(Workspace) // a client may have deleted it
	}
	if !isDir(ss, cwd) {
		writeError(w, r, sessionError("session create failed: cwd %s is not a directory in the sandbox", cwd))
		return
	}
	switch _, err := ss.addExecSession(newExecSession(id, cwd, env)); {
	case errors.Is(err, errSessionExists):
		writeError(w, r, sessionError("session create failed: Session '%s' already exists", id))
	case err != nil:
		writeError(w, r, sessionError("session create failed: %v", err))
	default:
		writeJSON(w, http.StatusOK, map[string]string{"id": id})
	}
}

// handleDeleteExecSession deletes an execution session, ending the exec
// running in it: 200 {"success": true, "sessionId", "timestamp"}, or 502
// session_error when the sandbox has no such session.
func (s *Server) handleDeleteExecSession(w http.ResponseWriter, r *http.Request) {
	sid := r.PathValue("sid")
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	if !ss.deleteExecSession(sid) {
		writeError(w, r, sessionError("session delete failed: Session '%s' not found", sid))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "sessionId": sid, "timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
}

// isDir reports whether p is a directory in the session's sandbox.
func isDir(ss *session, p string) bool {
	_, err := ss.sb.ListFiles(p)
	return err == nil
}

// newSessionSuffix returns 13 random characters of the session ID format.
func newSessionSuffix() string {
	var raw [8]byte
	rand.Read(raw[:])
	return base32ID.EncodeToString(raw[:])
}
