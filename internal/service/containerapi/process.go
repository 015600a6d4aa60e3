package containerapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// Process statuses, as the SDK's ProcessStatus names them.
const (
	statusRunning   = "running"
	statusCompleted = "completed"
	statusFailed    = "failed"
	statusKilled    = "killed"
	statusError     = "error"
)

// exitKilled is the exit status of a killed process: a shell's 128+SIGTERM.
const exitKilled = 143

// killWait is how long a kill waits for the process to end before it
// answers.
const killWait = 5 * time.Second

// outputEvent is one line a process wrote.
type outputEvent struct {
	stream, data string
}

// process is a background command: it runs on its own goroutine under its
// session's limits, and its output is kept for logs and streams.
type process struct {
	id, command, sessionID string
	pid                    int
	start                  time.Time
	cancel                 context.CancelFunc
	done                   chan struct{} // closed when it has ended

	mu       sync.Mutex
	status   string
	exitCode *int
	end      time.Time
	events   []outputEvent
	kept     int64 // bytes of output in events
	dropped  bool  // output past the cap was dropped
	killed   bool
	changed  chan struct{} // closed and replaced when events or status change
}

// processID makes an id in the container's format, proc_<ms>_<6 chars>.
func processID() string {
	const digits = "abcdefghijklmnopqrstuvwxyz0123456789"
	var raw [6]byte
	rand.Read(raw[:])
	for i := range raw {
		raw[i] = digits[int(raw[i])%len(digits)]
	}
	return fmt.Sprintf("proc_%d_%s", time.Now().UnixMilli(), raw[:])
}

// add records a line of output, up to maxBytes in all.
func (p *process) add(stream, data string, maxBytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.kept+int64(len(data)) > maxBytes {
		if !p.dropped {
			p.dropped = true
			p.events = append(p.events, outputEvent{"stderr", "wasmbox: output past the per-process cap was dropped\n"})
			p.notify()
		}
		return
	}
	p.kept += int64(len(data))
	p.events = append(p.events, outputEvent{stream, data})
	p.notify()
}

// notify wakes the streams waiting on p; the caller holds p.mu.
func (p *process) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// finish records how the process ended, with note as a last stderr line
// unless it is "" or the process was killed.
func (p *process) finish(status string, exitCode int, note string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		status, exitCode, note = statusKilled, exitKilled, ""
	}
	if note != "" {
		p.events = append(p.events, outputEvent{"stderr", note + "\n"})
	}
	p.status, p.exitCode, p.end = status, &exitCode, time.Now()
	p.notify()
}

// kill stops the process if it is running; it reports whether it was.
func (p *process) kill() bool {
	p.mu.Lock()
	running := p.status == statusRunning
	if running {
		p.killed = true
	}
	p.mu.Unlock()
	p.cancel()
	return running
}

// snapshot returns the events from index from on, the status, and a
// channel closed at the next change.
func (p *process) snapshot(from int) (events []outputEvent, status string, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]outputEvent(nil), p.events[from:]...), p.status, p.changed
}

// logs returns everything the process wrote to each stream.
func (p *process) logs() (stdout, stderr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out, errs strings.Builder
	for _, e := range p.events {
		if e.stream == "stdout" {
			out.WriteString(e.data)
		} else {
			errs.WriteString(e.data)
		}
	}
	return out.String(), errs.String()
}

// processInfo is a process as the SDK's ProcessInfo describes it.
type processInfo struct {
	ID        string  `json:"id"`
	PID       int     `json:"pid"`
	Command   string  `json:"command"`
	Status    string  `json:"status"`
	StartTime string  `json:"startTime"`
	EndTime   *string `json:"endTime,omitempty"`
	ExitCode  *int    `json:"exitCode,omitempty"`
	SessionID string  `json:"sessionId,omitempty"`
}

func (p *process) info() processInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	in := processInfo{ID: p.id, PID: p.pid, Command: p.command, Status: p.status, StartTime: isoTime(p.start), ExitCode: p.exitCode, SessionID: p.sessionID}
	if !p.end.IsZero() {
		end := isoTime(p.end)
		in.EndTime = &end
	}
	return in
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// exitStatus names the status of a process that exited with code, as the
// container does: 0 completed, 137 or 143 killed, else failed.
func exitStatus(code int) string {
	switch code {
	case 0:
		return statusCompleted
	case 137, exitKilled:
		return statusKilled
	}
	return statusFailed
}

// launch starts cmd as process p on its own goroutine.
func (c *container) launch(p *process, cmd *command) {
	ctx, cancel := context.WithCancel(c.stop)
	p.cancel = cancel
	out := newLineEvents(func(stream, line string) { p.add(stream, line, 2*c.outputCap()) })
	go func() {
		defer close(p.done)
		defer cancel()
		res, err := c.run(ctx, cmd, out.writer("stdout"), out.writer("stderr"))
		out.flush()
		switch {
		case err != nil && res == nil:
			p.finish(statusError, runtime.ExitSandboxFailure, fmt.Sprintf("wasmbox: the process could not start: %v", err))
		case err != nil:
			p.finish(statusError, res.ExitCode, err.Error())
		case res.TimedOut:
			p.finish(statusFailed, res.ExitCode, timeoutMessage(cmd.timeout))
		default:
			p.finish(exitStatus(res.ExitCode), res.ExitCode, outcomeNote(res, c.cfg))
		}
		c.retire(p)
	}()
}

// outputCap is the most output kept of each stream of a command.
func (c *container) outputCap() int64 {
	if c.cfg.MaxOutput > 0 {
		return c.cfg.MaxOutput
	}
	return runtime.DefaultMaxOutput
}

// retire records p as finished, forgetting the oldest finished processes
// past keptProcesses.
func (c *container) retire(p *process) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.processes[p.id] != p {
		return
	}
	c.finished = append(c.finished, p.id)
	for len(c.finished) > keptProcesses {
		delete(c.processes, c.finished[0])
		c.finished = c.finished[1:]
	}
}
