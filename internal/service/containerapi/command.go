package containerapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"path"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// commandRequest is the body of /api/execute, /api/execute/stream and
// /api/process/start (the SDK's ExecuteRequest and StartProcessRequest).
// Fields the SDK sends that wasmbox has no use for (origin, encoding,
// autoCleanup) are ignored, as the container ignores what it does not know.
type commandRequest struct {
	Command    string             `json:"command"`
	SessionID  string             `json:"sessionId"`
	TimeoutMs  *float64           `json:"timeoutMs"`
	Env        map[string]*string `json:"env"`
	Cwd        string             `json:"cwd"`
	Background bool               `json:"background"`
	ProcessID  string             `json:"processId"`
}

// command is a command line ready to run: its session, working directory,
// environment and timeout resolved.
type command struct {
	line    string
	session *session
	dir     string
	env     map[string]string
	timeout time.Duration
}

// prepare checks req and resolves what its command runs with: the request's
// cwd, env and timeout over its session's.
func (c *container) prepare(req commandRequest) (*command, *apiError) {
	if e := checkCommand(req.Command); e != nil {
		return nil, e
	}
	s, e := c.session(req.SessionID)
	if e != nil {
		return nil, e
	}
	cmd := &command{line: req.Command, session: s, timeout: c.cfg.Timeout}
	if s.timeout > 0 {
		cmd.timeout = s.timeout
	}
	if req.TimeoutMs != nil && *req.TimeoutMs != 0 {
		d, e := c.timeoutOf("timeoutMs", *req.TimeoutMs)
		if e != nil {
			return nil, e
		}
		cmd.timeout = d
	}
	c.mu.Lock()
	cmd.dir, cmd.env = s.cwd, maps.Clone(s.env)
	c.mu.Unlock()
	if req.Cwd != "" {
		if cmd.dir, e = resolvePath(cmd.dir, req.Cwd); e != nil {
			return nil, e
		}
	}
	for k, v := range req.Env {
		if cmd.env == nil {
			cmd.env = map[string]string{}
		}
		if v == nil {
			delete(cmd.env, k)
		} else {
			cmd.env[k] = *v
		}
	}
	if e := checkEnv(cmd.env); e != nil {
		return nil, e
	}
	return cmd, nil
}

// timeoutOf checks a timeout in milliseconds from a request's field.
func (c *container) timeoutOf(field string, ms float64) (time.Duration, *apiError) {
	if math.IsNaN(ms) || ms < 0 || ms > float64(c.cfg.MaxTimeout.Milliseconds()) {
		return 0, newError(http.StatusBadRequest, codeValidation, map[string]any{"field": field},
			"%s must be between 0 and %d (the server's maximum, %v)", field, c.cfg.MaxTimeout.Milliseconds(), c.cfg.MaxTimeout)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// errBusy: no execution slot was free.
var errBusy = errors.New("the server is at capacity")

// run runs cmd in the container's sandbox once an execution slot is free,
// writing its output to stdout and stderr as it comes. A working directory
// that is not a directory fails the command with status 1, as cd does.
func (c *container) run(ctx context.Context, cmd *command, stdout, stderr io.Writer) (*runtime.ExecResult, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(c.stop, cancel)()
	if st, errno := c.sb.FS().Stat(path.Clean(cmd.dir)); errno != 0 || !st.Mode.IsDir() {
		msg := fmt.Sprintf("Failed to change directory to %s\n", cmd.dir)
		if stderr != nil {
			io.WriteString(stderr, msg)
		}
		return &runtime.ExecResult{ExitCode: 1, Stderr: msg, Command: cmd.line}, nil
	}
	release, err := c.cfg.Admit(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBusy, err)
	}
	defer release()
	return c.sb.Exec(ctx, cmd.line, runtime.ExecOptions{
		Stdout: stdout, Stderr: stderr, Env: cmd.env, Timeout: cmd.timeout, Dir: cmd.dir,
	})
}

// timeoutMessage is how the container reports a command stopped at its
// timeout.
func timeoutMessage(d time.Duration) string {
	return fmt.Sprintf("Command timeout after %dms", d.Milliseconds())
}

// outcomeNote is a stderr line about how a command ended that its output
// alone does not show, or "".
func outcomeNote(res *runtime.ExecResult, c Config) string {
	switch {
	case res.MemoryExceeded && res.ExitCode != 0:
		limit := c.Memory
		if limit == 0 {
			limit = runtime.DefaultMemoryLimit
		}
		return fmt.Sprintf("wasmbox: the program reached the memory limit of %d MiB", limit>>20)
	case res.StdoutTruncated || res.StderrTruncated:
		return "wasmbox: output past the per-stream cap was dropped"
	}
	return ""
}
