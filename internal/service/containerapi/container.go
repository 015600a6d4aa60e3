package containerapi

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// Workspace is a container's home: the working directory of a session
// that names none, as in a Cloudflare sandbox.
const Workspace = "/workspace"

// defaultSession is the session of requests that name none.
const defaultSession = "default"

// container is one sandbox and its sessions and processes.
type container struct {
	cfg  Config
	sb   *runtime.Sandbox
	mux  *http.ServeMux  // the routes, bound to this container
	stop context.Context // done when the handler closes

	mu        sync.Mutex
	sessions  map[string]*session
	processes map[string]*process
	finished  []string // ids of finished processes, oldest first
	nextPID   int
	contexts  map[string]*codeContext
}

// session is a named working directory, environment and default timeout
// that commands run with.
type session struct {
	id      string
	cwd     string
	env     map[string]string
	timeout time.Duration // zero: the container's default
}

func newContainer(stop context.Context, cfg Config) (*container, error) {
	sb, err := cfg.Engine.NewSandbox(runtime.SandboxConfig{
		Timeout:     cfg.Timeout,
		MemoryLimit: cfg.Memory,
		MaxOutput:   cfg.MaxOutput,
		MaxFSBytes:  cfg.FSBytes,
		Packages:    cfg.Packages,
	})
	if err != nil {
		return nil, fmt.Errorf("containerapi: %w", err)
	}
	if err := sb.Mkdir(Workspace); err != nil {
		sb.Destroy()
		return nil, fmt.Errorf("containerapi: %w", err)
	}
	c := &container{cfg: cfg, sb: sb, stop: stop, sessions: map[string]*session{}, processes: map[string]*process{}, contexts: map[string]*codeContext{}, nextPID: 1000}
	c.mux = c.routes()
	return c, nil
}

// close kills every process, closes every code context and frees the
// files.
func (c *container) close() {
	c.mu.Lock()
	procs := make([]*process, 0, len(c.processes))
	for _, p := range c.processes {
		procs = append(procs, p)
	}
	c.mu.Unlock()
	for _, p := range procs {
		p.kill()
		<-p.done
	}
	c.closeContexts()
	c.sb.Destroy()
}

// session returns the session id, creating it as the container does on
// first use: in /workspace with no environment of its own. An empty id is
// the default session.
func (c *container) session(id string) (*session, *apiError) {
	if id == "" {
		id = defaultSession
	}
	if e := checkID("sessionId", id); e != nil {
		return nil, e
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sessions[id]; ok {
		return s, nil
	}
	return c.addSession(id, Workspace, nil, 0)
}

// addSession adds a session; the caller holds c.mu.
func (c *container) addSession(id, cwd string, env map[string]string, timeout time.Duration) (*session, *apiError) {
	if len(c.sessions) >= c.cfg.MaxSessions {
		return nil, newError(http.StatusTooManyRequests, codeResourceLimitation, map[string]any{"sessionId": id},
			"session limit reached: the container has %d sessions; delete one with deleteSession", c.cfg.MaxSessions)
	}
	s := &session{id: id, cwd: cwd, env: maps.Clone(env), timeout: timeout}
	c.sessions[id] = s
	return s, nil
}

// running reports whether a process of the container is running.
func (c *container) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.processes) > len(c.finished)
}

// sessionIDs lists the sessions, sorted.
func (c *container) sessionIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]string, 0, len(c.sessions))
	for id := range c.sessions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
