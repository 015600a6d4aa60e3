package containerapi

import (
	"net/http"
	"sort"
	"strconv"
	"time"
)

// startProcess starts req's command in the background: the answer of
// /api/process/start and of /api/execute with background set.
func (c *container) startProcess(req commandRequest) (any, *apiError) {
	cmd, e := c.prepare(req)
	if e != nil {
		return nil, e
	}
	id := req.ProcessID
	if id == "" {
		id = processID()
	}
	if e := checkID("processId", id); e != nil {
		return nil, e
	}
	p := &process{id: id, command: req.Command, sessionID: cmd.session.id, start: time.Now(),
		status: statusRunning, done: make(chan struct{}), changed: make(chan struct{})}
	c.mu.Lock()
	if _, taken := c.processes[id]; taken {
		c.mu.Unlock()
		return nil, newError(http.StatusConflict, codeProcessError, map[string]any{"processId": id}, "a process with id %s already exists; choose another processId", id)
	}
	running := 0
	for _, q := range c.processes {
		if q.sessionID == cmd.session.id && q.info().Status == statusRunning {
			running++
		}
	}
	if running >= c.cfg.MaxProcesses {
		c.mu.Unlock()
		return nil, newError(http.StatusTooManyRequests, codeProcessError, map[string]any{"processId": id},
			"session %s already runs %d background processes, its limit; wait for one or kill it", cmd.session.id, running)
	}
	p.pid = c.nextPID
	c.nextPID++
	c.processes[id] = p
	c.mu.Unlock()
	c.launch(p, cmd)
	return map[string]any{"success": true, "processId": p.id, "pid": p.pid, "command": p.command, "timestamp": now()}, nil
}

func (c *container) handleProcessStart(r *http.Request) (any, *apiError) {
	var req commandRequest
	if e := decode(r, &req); e != nil {
		return nil, e
	}
	return c.startProcess(req)
}

// process returns the process the {id} path value names, or a
// PROCESS_NOT_FOUND error.
func (c *container) process(r *http.Request) (*process, *apiError) {
	id := r.PathValue("id")
	c.mu.Lock()
	p, ok := c.processes[id]
	c.mu.Unlock()
	if !ok {
		return nil, newError(http.StatusNotFound, codeProcessNotFound, map[string]any{"processId": id}, "Process %s not found", id)
	}
	return p, nil
}

// handleProcessList lists the container's processes (all sessions), oldest
// first; ?status= keeps those with that status.
func (c *container) handleProcessList(r *http.Request) (any, *apiError) {
	want := r.URL.Query().Get("status")
	c.mu.Lock()
	procs := make([]*process, 0, len(c.processes))
	for _, p := range c.processes {
		procs = append(procs, p)
	}
	c.mu.Unlock()
	sort.Slice(procs, func(i, j int) bool { return procs[i].pid < procs[j].pid })
	list := make([]processInfo, 0, len(procs))
	for _, p := range procs {
		if in := p.info(); want == "" || in.Status == want {
			list = append(list, in)
		}
	}
	return map[string]any{"success": true, "processes": list, "timestamp": now()}, nil
}

func (c *container) handleProcessGet(r *http.Request) (any, *apiError) {
	p, e := c.process(r)
	if e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "process": p.info(), "timestamp": now()}, nil
}

func (c *container) handleProcessLogs(r *http.Request) (any, *apiError) {
	p, e := c.process(r)
	if e != nil {
		return nil, e
	}
	stdout, stderr := p.logs()
	return map[string]any{"success": true, "processId": p.id, "stdout": stdout, "stderr": stderr, "timestamp": now()}, nil
}

// handleProcessKill kills a running process and waits (a little) for it to
// end. Killing one that has already ended is COMMAND_NOT_FOUND, as in the
// container.
func (c *container) handleProcessKill(r *http.Request) (any, *apiError) {
	p, e := c.process(r)
	if e != nil {
		return nil, e
	}
	if !p.kill() {
		return nil, newError(http.StatusNotFound, "COMMAND_NOT_FOUND", map[string]any{"command": p.id},
			"Command '%s' not found or already completed in session '%s'", p.id, p.sessionID)
	}
	waitEnd(p)
	return map[string]any{"success": true, "processId": p.id, "timestamp": now()}, nil
}

// handleProcessKillAll kills every running process.
func (c *container) handleProcessKillAll(r *http.Request) (any, *apiError) {
	return map[string]any{"success": true, "cleanedCount": c.killAll(""), "timestamp": now()}, nil
}

// killAll kills the running processes of session (all sessions when "")
// and returns how many it killed.
func (c *container) killAll(session string) int {
	c.mu.Lock()
	var procs []*process
	for _, p := range c.processes {
		if session == "" || p.sessionID == session {
			procs = append(procs, p)
		}
	}
	c.mu.Unlock()
	killed := 0
	for _, p := range procs {
		if p.kill() {
			killed++
		}
	}
	for _, p := range procs {
		waitEnd(p)
	}
	return killed
}

func waitEnd(p *process) {
	t := time.NewTimer(killWait)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
	}
}

// processEvent is one event of /api/process/{id}/stream.
type processEvent struct {
	Type      string `json:"type"`
	ProcessID string `json:"processId"`
	Command   string `json:"command,omitempty"`
	Status    string `json:"status,omitempty"`
	Data      string `json:"data,omitempty"`
	ExitCode  *int   `json:"exitCode,omitempty"`
	Timestamp string `json:"timestamp"`
}

// handleProcessStream streams a process as Server-Sent Events:
// `process_info`, its output so far and as it comes (`stdout`, `stderr`),
// then `exit` when it ends.
func (c *container) handleProcessStream(w http.ResponseWriter, r *http.Request) {
	p, e := c.process(r)
	if e != nil {
		writeError(w, e)
		return
	}
	st := startSSE(w)
	in := p.info()
	st.send(processEvent{Type: "process_info", ProcessID: p.id, Command: p.command, Status: in.Status, Timestamp: now()})
	next := 0
	for {
		events, status, changed := p.snapshot(next)
		next += len(events)
		for _, ev := range events {
			if !st.send(processEvent{Type: ev.stream, ProcessID: p.id, Data: ev.data, Timestamp: now()}) {
				return
			}
		}
		if status != statusRunning {
			in := p.info()
			st.send(processEvent{Type: "exit", ProcessID: p.id, ExitCode: in.ExitCode, Status: status,
				Data: "Process " + status + " with exit code " + itoa(in.ExitCode), Timestamp: now()})
			return
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}

func itoa(n *int) string {
	if n == nil {
		return "unknown"
	}
	return strconv.Itoa(*n)
}
