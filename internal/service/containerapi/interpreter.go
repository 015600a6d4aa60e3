package containerapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// Code contexts, as the SDK's InterpreterClient drives them
// (createCodeContext, runCode, listCodeContexts, deleteCodeContext): each
// is a runtime.Context, a live Python interpreter over the container's
// files whose globals last from one run to the next. They belong to the
// container, count against its MaxContexts and the engine's cap, and are
// closed with it. A context that sits idle for the ContainerTTL ends (its
// state is lost) and frees its interpreter's memory.

// Error codes of the interpreter routes, as the SDK's ErrorCode names them.
const (
	codeContextNotFound    = "CONTEXT_NOT_FOUND"
	codePythonNotAvailable = "PYTHON_NOT_AVAILABLE"
	codeJSNotAvailable     = "JAVASCRIPT_NOT_AVAILABLE"
)

// codeContext is one context of the container.
type codeContext struct {
	id      string
	cwd     string
	created time.Time
	ctx     *runtime.Context
	// free gives back the context's share of the host memory budget, once.
	free func()
}

// close closes the context and gives back its memory.
func (cc *codeContext) close() {
	cc.ctx.Close()
	cc.free()
}

// contextInfo is a context as /api/contexts lists it.
type contextInfo struct {
	ID       string `json:"id"`
	Language string `json:"language"`
	Cwd      string `json:"cwd"`
}

// createContextRequest is the body of POST /api/contexts.
type createContextRequest struct {
	Language string            `json:"language"`
	Cwd      string            `json:"cwd"`
	EnvVars  map[string]string `json:"env_vars"`
}

func interpreterRoutes(mux *http.ServeMux, c *container) {
	mux.HandleFunc("POST /api/contexts", c.jsonRoute(c.handleCreateContext))
	mux.HandleFunc("GET /api/contexts", c.jsonRoute(c.handleListContexts))
	mux.HandleFunc("DELETE /api/contexts/{id}", c.jsonRoute(c.handleDeleteContext))
	mux.HandleFunc("GET /api/interpreter/health", c.jsonRoute(c.handleInterpreterHealth))
	mux.HandleFunc("POST /api/execute/code", c.handleExecuteCode)
}

// checkLanguage accepts Python, the only language wasmbox runs: JavaScript
// and TypeScript answer JAVASCRIPT_NOT_AVAILABLE (501), as a container
// without Node does; an empty language is Python.
func checkLanguage(lang string) *apiError {
	switch strings.ToLower(lang) {
	case "", "python", "python3":
		return nil
	case "javascript", "js", "node", "typescript", "ts":
		return newError(http.StatusNotImplemented, codeJSNotAvailable, map[string]any{"language": lang},
			"JavaScript interpreter not available: wasmbox runs Python only (language %q)", lang)
	}
	return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": "language", "language": lang},
		"Unsupported language '%s'. Supported languages: python", lang)
}

// handleCreateContext starts a context in cwd (default /workspace, created
// if missing) with env_vars added to its environment.
func (c *container) handleCreateContext(r *http.Request) (any, *apiError) {
	var req createContextRequest
	if e := decode(r, &req); e != nil {
		return nil, e
	}
	if e := checkLanguage(req.Language); e != nil {
		return nil, e
	}
	if e := checkEnv(req.EnvVars); e != nil {
		return nil, e
	}
	cwd := Workspace
	if req.Cwd != "" {
		var e *apiError
		if cwd, e = resolvePath(Workspace, req.Cwd); e != nil {
			return nil, e
		}
	}
	if e := c.contextRoom(); e != nil {
		return nil, e
	}
	if err := c.sb.Mkdir(cwd); err != nil {
		return nil, fileError(opMkdir, cwd, err)
	}
	release, e := c.admit(r.Context())
	if e != nil {
		return nil, e
	}
	defer release()
	// No Policy: the policy none, as everywhere in a container, which runs
	// any command its client sends over the same files.
	rc, err := c.sb.NewContext(r.Context(), runtime.ContextOptions{Cwd: cwd, Env: req.EnvVars, IdleTTL: c.cfg.ContainerTTL})
	if err != nil {
		return nil, createContextError(err)
	}
	c.freeLost()
	unreserve, err := c.cfg.Reserve(int64(rc.Options().MemoryLimit))
	if err != nil {
		rc.Close()
		return nil, newError(http.StatusServiceUnavailable, codeContainerBusy, nil,
			"no room for a code context's %d MiB of memory: %v; delete a code context or retry later", rc.Options().MemoryLimit>>20, err)
	}
	cc, e := c.addContext(rc, cwd, sync.OnceFunc(unreserve))
	if e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "contextId": cc.id, "language": "python", "cwd": cc.cwd, "timestamp": now()}, nil
}

// createContextError is the answer for a context the runtime could not
// start.
func createContextError(err error) *apiError {
	var pathErr *fs.PathError
	switch {
	case errors.Is(err, runtime.ErrTooManyContexts):
		return newError(http.StatusServiceUnavailable, codeContainerBusy, nil, "%v; retry later", err)
	case errors.Is(err, runtime.ErrContextsUnsupported):
		return newError(http.StatusNotImplemented, codePythonNotAvailable, nil, "Python interpreter not available for code contexts: %v", err)
	case errors.As(err, &pathErr):
		return newError(http.StatusBadRequest, codeValidation, map[string]any{"field": "cwd"}, "the context's cwd: %v", err)
	}
	return newError(http.StatusInternalServerError, codeInternal, nil, "Failed to create code context: %v", err)
}

// contextRoom refuses a new context when the container holds its cap.
func (c *container) contextRoom() *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.contextRoomLocked()
}

func (c *container) contextRoomLocked() *apiError {
	if len(c.contexts) >= c.cfg.MaxContexts {
		return newError(http.StatusTooManyRequests, codeResourceLimitation, nil,
			"context limit reached: the container has %d code contexts; delete one with deleteCodeContext", c.cfg.MaxContexts)
	}
	return nil
}

// addContext registers rc under a new id, unless the container filled its
// cap or began closing meanwhile (then rc is closed).
func (c *container) addContext(rc *runtime.Context, cwd string, free func()) (*codeContext, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.contextRoomLocked()
	if e == nil && c.stop.Err() != nil {
		e = newError(http.StatusServiceUnavailable, codeContainerBusy, nil, "the server is shutting down")
	}
	cc := &codeContext{id: newUUID(), cwd: cwd, created: time.Now(), ctx: rc, free: free}
	if e != nil {
		cc.close()
		return nil, e
	}
	c.contexts[cc.id] = cc
	return cc, nil
}

// newUUID returns a random (version 4) UUID, the container's context ids.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// context returns the context id, or CONTEXT_NOT_FOUND.
func (c *container) context(id string) (*codeContext, *apiError) {
	c.mu.Lock()
	cc := c.contexts[id]
	c.mu.Unlock()
	if cc == nil {
		return nil, newError(http.StatusNotFound, codeContextNotFound, map[string]any{"contextId": id}, "Context %s not found", id)
	}
	return cc, nil
}

// handleListContexts lists the contexts, oldest first. A context whose
// state was lost stays listed until it is deleted.
func (c *container) handleListContexts(*http.Request) (any, *apiError) {
	c.mu.Lock()
	all := make([]*codeContext, 0, len(c.contexts))
	for _, cc := range c.contexts {
		all = append(all, cc)
	}
	c.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].created.Before(all[j].created) })
	list := make([]contextInfo, len(all))
	for i, cc := range all {
		list[i] = contextInfo{ID: cc.id, Language: "python", Cwd: cc.cwd}
	}
	return map[string]any{"success": true, "contexts": list, "timestamp": now()}, nil
}

// handleDeleteContext closes a context, stopping a run under way.
func (c *container) handleDeleteContext(r *http.Request) (any, *apiError) {
	id := r.PathValue("id")
	c.mu.Lock()
	cc := c.contexts[id]
	delete(c.contexts, id)
	c.mu.Unlock()
	if cc == nil {
		return nil, newError(http.StatusNotFound, codeContextNotFound, map[string]any{"contextId": id}, "Code context '%s' not found", id)
	}
	cc.close()
	return map[string]any{"success": true, "contextId": id, "timestamp": now()}, nil
}

// handleInterpreterHealth answers that the interpreter is ready: contexts
// start from the engine's snapshot, with nothing to warm up.
func (c *container) handleInterpreterHealth(*http.Request) (any, *apiError) {
	return map[string]any{"success": true, "status": "healthy", "timestamp": now()}, nil
}

// closeContexts closes every context of the container.
func (c *container) closeContexts() {
	c.mu.Lock()
	all := c.contexts
	c.contexts = map[string]*codeContext{}
	c.mu.Unlock()
	for _, cc := range all {
		cc.close()
	}
}

// freeLost gives back the memory of the contexts whose state was lost (a
// run timed out, or they sat idle past the TTL): their interpreters are
// gone, though they stay listed until deleted.
func (c *container) freeLost() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cc := range c.contexts {
		if cc.ctx.Err() != nil {
			cc.free()
		}
	}
}

// lostError is the answer for a run in a context whose state was lost (a
// run timed out or the interpreter failed): the container's answer for an
// executor that terminated.
func lostError(id string, err error) *apiError {
	return newError(http.StatusInternalServerError, codeInternal, map[string]any{"contextId": id},
		"Context executor has terminated (%v). Please delete and recreate the context.", err)
}

// runTimeout is a run's timeout: the request's timeout_ms, else the
// container's default.
func (c *container) runTimeout(ms *float64) (time.Duration, *apiError) {
	if ms == nil || *ms == 0 {
		return c.cfg.Timeout, nil
	}
	return c.timeoutOf("timeout_ms", *ms)
}

// admit waits for an execution slot to start or run a context in.
func (c *container) admit(ctx context.Context) (func(), *apiError) {
	release, err := c.cfg.Admit(ctx)
	if err != nil {
		return nil, newError(http.StatusServiceUnavailable, codeContainerBusy, nil, "%v: %v; retry later", errBusy, err)
	}
	return release, nil
}
