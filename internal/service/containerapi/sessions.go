package containerapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// sessionRequest is the body of /api/session/create and /api/session/delete.
type sessionRequest struct {
	ID               string            `json:"id"`
	Env              map[string]string `json:"env"`
	Cwd              string            `json:"cwd"`
	CommandTimeoutMs *float64          `json:"commandTimeoutMs"`
	SessionID        string            `json:"sessionId"`
}

// handleSessionCreate makes a session with its own working directory
// (created if missing; default /workspace), environment and command
// timeout. An id in use is SESSION_ALREADY_EXISTS.
func (c *container) handleSessionCreate(r *http.Request) (any, *apiError) {
	var req sessionRequest
	if e := decode(r, &req); e != nil {
		return nil, e
	}
	if req.ID == "" {
		var raw [6]byte
		rand.Read(raw[:])
		req.ID = fmt.Sprintf("session_%d_%s", time.Now().UnixMilli(), hex.EncodeToString(raw[:]))
	}
	if e := checkID("id", req.ID); e != nil {
		return nil, e
	}
	cwd, e := resolvePath(Workspace, req.Cwd)
	if req.Cwd == "" {
		cwd, e = Workspace, nil
	}
	if e != nil {
		return nil, e
	}
	if e := checkEnv(req.Env); e != nil {
		return nil, e
	}
	var timeout time.Duration
	if req.CommandTimeoutMs != nil && *req.CommandTimeoutMs != 0 {
		if timeout, e = c.timeoutOf("commandTimeoutMs", *req.CommandTimeoutMs); e != nil {
			return nil, e
		}
	}
	if err := c.sb.Mkdir(cwd); err != nil {
		return nil, fileError(opMkdir, cwd, err)
	}
	c.mu.Lock()
	if _, taken := c.sessions[req.ID]; taken {
		c.mu.Unlock()
		return nil, newError(http.StatusConflict, codeSessionExists, map[string]any{"sessionId": req.ID, "containerPlacementId": nil}, "Session '%s' already exists", req.ID)
	}
	s, e := c.addSession(req.ID, cwd, req.Env, timeout)
	c.mu.Unlock()
	if e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "data": map[string]any{"id": s.id, "cwd": s.cwd}, "containerPlacementId": nil, "timestamp": now()}, nil
}

// handleSessionDelete removes a session and kills its processes.
func (c *container) handleSessionDelete(r *http.Request) (any, *apiError) {
	var req sessionRequest
	if e := decode(r, &req); e != nil {
		return nil, e
	}
	if e := required("sessionId", req.SessionID); e != nil {
		return nil, e
	}
	c.mu.Lock()
	_, ok := c.sessions[req.SessionID]
	delete(c.sessions, req.SessionID)
	c.mu.Unlock()
	if !ok {
		return nil, newError(http.StatusInternalServerError, codeInternal, map[string]any{"sessionId": req.SessionID, "originalError": "Session not found"},
			"Session '%s' not found", req.SessionID)
	}
	c.killAll(req.SessionID)
	return map[string]any{"success": true, "sessionId": req.SessionID, "timestamp": now()}, nil
}

func (c *container) handleSessionList(r *http.Request) (any, *apiError) {
	return map[string]any{"success": true, "data": c.sessionIDs(), "timestamp": now()}, nil
}
