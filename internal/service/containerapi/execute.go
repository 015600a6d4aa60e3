package containerapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// execResult is the answer of /api/execute: the SDK's ExecResult.
type execResult struct {
	Success   bool    `json:"success"`
	ExitCode  int     `json:"exitCode"`
	Stdout    string  `json:"stdout"`
	Stderr    string  `json:"stderr"`
	Command   string  `json:"command"`
	Duration  float64 `json:"duration"`
	Timestamp string  `json:"timestamp"`
	SessionID string  `json:"sessionId"`
}

// handleExecute runs a command and answers its result, or starts it as a
// background process when the request says background.
func (c *container) handleExecute(r *http.Request) (any, *apiError) {
	var req commandRequest
	if e := decode(r, &req); e != nil {
		return nil, e
	}
	req.SessionID = sessionOf(r, req.SessionID)
	if req.Background {
		return c.startProcess(req)
	}
	cmd, e := c.prepare(req)
	if e != nil {
		return nil, e
	}
	res, err := c.run(r.Context(), cmd, nil, nil)
	if e := c.failure(cmd, res, err); e != nil {
		return nil, e
	}
	stderr := res.Stderr
	if note := outcomeNote(res, c.cfg); note != "" {
		stderr += note + "\n"
	}
	// The container collects output line by line and joins the lines with
	// "\n": the final newline of each stream is not part of the result.
	return execResult{
		Success: res.ExitCode == 0, ExitCode: res.ExitCode,
		Stdout: strings.TrimSuffix(res.Stdout, "\n"), Stderr: strings.TrimSuffix(stderr, "\n"),
		Command: req.Command, Duration: res.Duration, Timestamp: now(), SessionID: cmd.session.id,
	}, nil
}

// failure is the error answer for a command that did not run to its end:
// no slot, a sandbox failure, the server closing, or its timeout (which the
// container reports as an error, not as a result).
func (c *container) failure(cmd *command, res *runtime.ExecResult, err error) *apiError {
	ctx := map[string]any{"command": cmd.line}
	switch {
	case errors.Is(err, errBusy):
		return newError(http.StatusServiceUnavailable, codeContainerBusy, ctx, "%v; retry later", err)
	case err != nil:
		ctx["stderr"] = err.Error()
		return newError(http.StatusInternalServerError, codeCommandExecution, ctx,
			"Failed to execute command '%s' in session '%s': %v", cmd.line, cmd.session.id, err)
	case res.TimedOut:
		ctx["stderr"] = timeoutMessage(cmd.timeout)
		return newError(http.StatusInternalServerError, codeCommandExecution, ctx,
			"Failed to execute command '%s' in session '%s': %s", cmd.line, cmd.session.id, timeoutMessage(cmd.timeout))
	}
	return nil
}

// streamEvent is one event of /api/execute/stream (the SDK's ExecEvent).
type streamEvent struct {
	Type      string      `json:"type"`
	Command   string      `json:"command,omitempty"`
	Data      string      `json:"data,omitempty"`
	ExitCode  *int        `json:"exitCode,omitempty"`
	Error     string      `json:"error,omitempty"`
	Result    *execResult `json:"result,omitempty"`
	Timestamp string      `json:"timestamp"`
}

// handleExecuteStream runs a command and streams it as Server-Sent Events:
// `start`, then `stdout` and `stderr` line by line, then `complete` with
// the exit code, or `error` when it could not run to its end. Errors found
// before it starts are JSON answers.
func (c *container) handleExecuteStream(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, c.cfg.MaxBody)
	var req commandRequest
	if e := decode(r, &req); e != nil {
		writeError(w, e)
		return
	}
	req.SessionID = sessionOf(r, req.SessionID)
	cmd, e := c.prepare(req)
	if e != nil {
		writeError(w, e)
		return
	}
	st := startSSE(w)
	st.send(streamEvent{Type: "start", Command: req.Command, Timestamp: now()})
	out := newLineEvents(func(stream, line string) {
		st.send(streamEvent{Type: stream, Data: line, Timestamp: now()})
	})
	res, err := c.run(r.Context(), cmd, out.writer("stdout"), out.writer("stderr"))
	out.flush()
	if e := c.failure(cmd, res, err); e != nil {
		st.send(streamEvent{Type: "error", Error: e.message, Timestamp: now()})
		return
	}
	if note := outcomeNote(res, c.cfg); note != "" {
		st.send(streamEvent{Type: "stderr", Data: note + "\n", Timestamp: now()})
	}
	st.send(streamEvent{Type: "complete", ExitCode: &res.ExitCode, Timestamp: now(), Result: &execResult{
		Success: res.ExitCode == 0, ExitCode: res.ExitCode, Command: req.Command,
		Duration: res.Duration, Timestamp: res.Timestamp.Format("2006-01-02T15:04:05.000Z"), SessionID: cmd.session.id,
	}})
}

// sessionOf is the session of an execute request: the body's sessionId,
// else the X-Session-Id header, else the session or sessionId query
// parameter, as the container's router finds it.
func sessionOf(r *http.Request, body string) string {
	if body != "" {
		return body
	}
	if h := r.Header.Get("X-Session-Id"); h != "" {
		return h
	}
	q := r.URL.Query()
	if s := q.Get("session"); s != "" {
		return s
	}
	return q.Get("sessionId")
}
