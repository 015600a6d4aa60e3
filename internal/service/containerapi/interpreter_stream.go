package containerapi

import (
	"context"
	"net/http"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// executeCodeRequest is the body of POST /api/execute/code.
type executeCodeRequest struct {
	ContextID string   `json:"context_id"`
	Code      string   `json:"code"`
	Language  string   `json:"language"`
	TimeoutMs *float64 `json:"timeout_ms"`
}

// Events of /api/execute/code, which the SDK's InterpreterClient reads
// line by line ("data: JSON"): output as it is written, then a result per
// value, then error or execution_complete. (The container sends its output
// after the run, one event per stream; wasmbox streams it live.)
type (
	codeOutputEvent struct {
		Type      string `json:"type"` // stdout or stderr
		Text      string `json:"text"`
		Timestamp int64  `json:"timestamp"` // Unix milliseconds, as the SDK's OutputMessage has it
	}
	codeResultEvent struct {
		Type string `json:"type"` // result
		runtime.Result
		Metadata map[string]any `json:"metadata"`
	}
	codeErrorEvent struct {
		Type      string   `json:"type"` // error
		Name      string   `json:"ename"`
		Value     string   `json:"evalue"`
		Traceback []string `json:"traceback"`
	}
	codeCompleteEvent struct {
		Type  string `json:"type"` // execution_complete
		Count int    `json:"execution_count"`
	}
)

// handleExecuteCode runs code in a context and streams the run. Refusals
// found before it starts (no such context, a lost one, a bad timeout, no
// slot) are JSON error answers; an exception, a timeout or the context
// ending during the run is the stream's error event.
func (c *container) handleExecuteCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, c.cfg.MaxBody)
	cc, req, timeout, e := c.prepareRun(r)
	if e != nil {
		writeError(w, e)
		return
	}
	release, e := c.admit(r.Context())
	if e != nil {
		writeError(w, e)
		return
	}
	defer release()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(c.stop, cancel)()

	st := startSSE(w)
	stdout, stderr := codeOutput{st, "stdout"}, codeOutput{st, "stderr"}
	x, err := cc.ctx.Run(ctx, req.Code, runtime.RunOptions{Timeout: timeout, Stdout: stdout, Stderr: stderr})
	if cc.ctx.Err() != nil { // the run ended the interpreter
		cc.free()
	}
	if x == nil { // closed or lost between the checks and the run
		st.send(codeErrorEvent{Type: "error", Name: "ContextLost", Value: err.Error(), Traceback: []string{}})
		return
	}
	for _, res := range x.Results {
		st.send(codeResultEvent{Type: "result", Result: res, Metadata: map[string]any{}})
	}
	if x.Error != nil {
		st.send(codeErrorEvent{Type: "error", Name: x.Error.Name, Value: x.Error.Message, Traceback: x.Error.Traceback})
		return
	}
	st.send(codeCompleteEvent{Type: "execution_complete", Count: x.ExecutionCount})
}

// codeOutput sends each write of a cell to one stream as an event, as the
// guest wrote it: a print is one event with its newline, output without a
// newline gets none added, and the SDK's logs hold the same entries as
// runtime.Execution's.
type codeOutput struct {
	st     *sseStream
	stream string
}

func (o codeOutput) Write(p []byte) (int, error) {
	o.st.send(codeOutputEvent{Type: o.stream, Text: string(p), Timestamp: time.Now().UnixMilli()})
	return len(p), nil
}

// prepareRun checks a request of /api/execute/code and finds its context,
// which must be live.
func (c *container) prepareRun(r *http.Request) (*codeContext, executeCodeRequest, time.Duration, *apiError) {
	var req executeCodeRequest
	if e := decode(r, &req); e != nil {
		return nil, req, 0, e
	}
	if e := required("context_id", req.ContextID); e != nil {
		return nil, req, 0, e
	}
	if e := checkLanguage(req.Language); e != nil {
		return nil, req, 0, e
	}
	timeout, e := c.runTimeout(req.TimeoutMs)
	if e != nil {
		return nil, req, 0, e
	}
	cc, e := c.context(req.ContextID)
	if e != nil {
		return nil, req, 0, e
	}
	if err := cc.ctx.Err(); err != nil {
		cc.free()
		return nil, req, 0, lostError(cc.id, err)
	}
	return cc, req, timeout, nil
}
