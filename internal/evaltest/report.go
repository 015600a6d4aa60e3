package evaltest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/wasmbox/wasmbox/validate"
)

// Violation is a rule the evaluation code breaks, found by package validate
// before the code runs.
type Violation = validate.Violation

// Status is the outcome of one case.
type Status string

// The statuses of a case.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusError   Status = "error"
	StatusTimeout Status = "timeout"
)

// ErrorInfo describes an exception: its class name, message, and traceback
// (cut to the frames of the evaluation code; empty when there is none).
type ErrorInfo struct {
	Type      string `json:"type"`
	Message   string `json:"message"`
	Traceback string `json:"traceback"`
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Expected is the case's expected value; nil when the case has none.
	Expected json.RawMessage `json:"expected,omitempty"`
	// Actual is the value the function returned; nil when it raised, or
	// returned something JSON cannot represent.
	Actual json.RawMessage `json:"actual,omitempty"`
	// Error is set for status error and timeout, and for a fail of a
	// "raises" case (the exception raised instead, or an AssertionError
	// saying the call returned).
	Error *ErrorInfo `json:"error,omitempty"`
	// Duration is the time spent in the call, in milliseconds.
	Duration float64 `json:"duration"`
	// Stdout is what the call printed (capped by the harness).
	Stdout string `json:"stdout"`

	// Index is the 0-based index of the case. Not in the JSON report.
	Index int `json:"-"`
	// Tolerance and Raises echo the case, for renderings. Not in the JSON report.
	Tolerance *float64 `json:"-"`
	Raises    string   `json:"-"`
}

// Report is the outcome of testing an evaluation function.
type Report struct {
	Success  bool    `json:"success"`
	Function string  `json:"function"`
	Total    int     `json:"total"`
	Passed   int     `json:"passed"`
	Failed   int     `json:"failed"`
	Errors   int     `json:"errors"`
	TimedOut int     `json:"timedOut"`
	Duration float64 `json:"duration"` // milliseconds, the whole run
	// Violations always marshals as an array, [] when empty.
	Violations []Violation `json:"violations"`
	// LoadError is set when the evaluation code raised while loading or
	// lacks the function; then no case runs. It marshals as null when nil.
	LoadError *ErrorInfo `json:"loadError"`
	// Cases always marshals as an array, [] when empty.
	Cases []CaseResult `json:"cases"`
}

// MarshalJSON writes the report with violations and cases as arrays, never null.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	if p.Violations == nil {
		p.Violations = []Violation{}
	}
	if p.Cases == nil {
		p.Cases = []CaseResult{}
	}
	return json.Marshal(p)
}

// Tally sets Total, Passed, Failed, Errors and TimedOut from Cases, and
// Success: true when there is no load error, no violation and no case that
// did not pass. (A report with zero cases and nothing wrong is a success;
// callers wanting at least one case must check Total.)
func (r *Report) Tally() {
	r.Total, r.Passed, r.Failed, r.Errors, r.TimedOut = len(r.Cases), 0, 0, 0, 0
	for i := range r.Cases {
		switch r.Cases[i].Status {
		case StatusPass:
			r.Passed++
		case StatusFail:
			r.Failed++
		case StatusTimeout:
			r.TimedOut++
		default:
			r.Errors++
		}
	}
	r.Success = r.LoadError == nil && len(r.Violations) == 0 && r.Passed == r.Total
}

// Millis converts a duration to the report's float milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// newResult starts the result of case c at 0-based index i.
func newResult(i int, c *Case) CaseResult {
	r := CaseResult{Name: c.Name, Index: i, Expected: c.Expected, Raises: c.Raises}
	if c.Tolerance != nil {
		t := *c.Tolerance
		r.Tolerance = &t
	}
	return r
}

// TimeoutResult is the result of case c (0-based index i), which was still
// running after limit and was stopped; elapsed is how long it ran.
func TimeoutResult(i int, c *Case, limit, elapsed time.Duration) CaseResult {
	r := newResult(i, c)
	r.Status = StatusTimeout
	r.Duration = Millis(elapsed)
	r.Error = &ErrorInfo{Type: "Timeout", Message: fmt.Sprintf("the case did not finish within %v", limit)}
	return r
}

// ErrorResult is the result of case c (0-based index i) when it ended in an
// error outside the evaluation code, e.g. the guest crashed while running it.
func ErrorResult(i int, c *Case, elapsed time.Duration, info ErrorInfo) CaseResult {
	r := newResult(i, c)
	r.Status = StatusError
	r.Duration = Millis(elapsed)
	r.Error = &info
	return r
}

// ResultLine is one decoded line of the harness results file: either a case
// result or a load error.
type ResultLine struct {
	Case      *CaseResult // set for a "result" line
	LoadError *ErrorInfo  // set for a "load_error" line
}

// harnessLine is a line of the harness results file or of its progress output.
type harnessLine struct {
	Event     string          `json:"event"`
	Index     *int            `json:"index"`
	Next      *int            `json:"next"`
	Name      *string         `json:"name"`
	Status    Status          `json:"status"`
	Expected  json.RawMessage `json:"expected"`
	Actual    json.RawMessage `json:"actual"`
	Error     *ErrorInfo      `json:"error"`
	Duration  *float64        `json:"duration"`
	Stdout    string          `json:"stdout"`
	Tolerance *float64        `json:"tolerance"`
	Raises    string          `json:"raises"`
}

// ParseResultLine decodes one line of the harness results file. The line
// comes from the guest, so it is checked: a result needs an index, a name,
// a pass/fail/error status and a non-negative duration; a load error needs
// its error.
func ParseResultLine(line []byte) (ResultLine, error) {
	var h harnessLine
	if err := json.Unmarshal(line, &h); err != nil {
		return ResultLine{}, fmt.Errorf("harness result: %w", err)
	}
	switch h.Event {
	case "result":
		switch {
		case h.Index == nil || *h.Index < 0:
			return ResultLine{}, errors.New("harness result: missing or negative index")
		case h.Name == nil:
			return ResultLine{}, errors.New("harness result: missing name")
		case h.Status != StatusPass && h.Status != StatusFail && h.Status != StatusError:
			return ResultLine{}, fmt.Errorf("harness result: invalid status %q", h.Status)
		case h.Duration == nil || *h.Duration < 0 || math.IsNaN(*h.Duration):
			return ResultLine{}, errors.New("harness result: missing or negative duration")
		}
		cr := &CaseResult{
			Name: *h.Name, Status: h.Status, Error: h.Error, Duration: *h.Duration,
			Stdout: h.Stdout, Index: *h.Index, Tolerance: h.Tolerance, Raises: h.Raises,
			Expected: compactOrNil(h.Expected), Actual: compactOrNil(h.Actual),
		}
		if cr.Status == StatusError && cr.Error == nil {
			cr.Error = &ErrorInfo{Type: "Error", Message: "the harness gave no details"}
		}
		return ResultLine{Case: cr}, nil
	case "load_error":
		if h.Error == nil {
			return ResultLine{}, errors.New("harness load_error: missing error")
		}
		return ResultLine{LoadError: h.Error}, nil
	default:
		return ResultLine{}, fmt.Errorf("harness result: unknown event %q", h.Event)
	}
}

func compactOrNil(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return nil
	}
	return compact(v)
}

// ReadResults decodes the harness results file line by line, calling fn for
// each line. Blank lines are skipped, and so are lines that are not valid
// JSON: those are torn by a guest killed while writing them (the harness
// ends such a line before appending more). A valid JSON line that is not a
// well-formed result is an error.
func ReadResults(r io.Reader, fn func(ResultLine) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		complete := err == nil
		if err != nil && err != io.EOF {
			return err
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if !json.Valid(t) {
				continue // torn
			}
			rl, perr := ParseResultLine(t)
			if perr != nil {
				return fmt.Errorf("results line %d: %w", n, perr)
			}
			if ferr := fn(rl); ferr != nil {
				return ferr
			}
		}
		if !complete {
			return nil
		}
	}
}

// Event is one progress line the harness writes to its standard output.
type Event struct {
	// Kind is "loaded", "load_error", "start", "done" or "end".
	Kind string
	// Index is the case index, for "start" and "done"; for "end", the
	// index after the last case.
	Index int
	// Status is the case's status, for "done".
	Status Status
	// Error is the load error, for "load_error".
	Error *ErrorInfo
}

// ParseEvent decodes one line of the harness's standard output. It reports
// false for a line that is not a well-formed progress line (the evaluation
// code may have written to the real standard output).
func ParseEvent(line []byte) (Event, bool) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return Event{}, false
	}
	var h harnessLine
	if err := json.Unmarshal(line, &h); err != nil {
		return Event{}, false
	}
	ev := Event{Kind: h.Event}
	switch h.Event {
	case "loaded":
	case "load_error":
		if h.Error == nil {
			return Event{}, false
		}
		ev.Error = h.Error
	case "start", "done":
		if h.Index == nil || *h.Index < 0 {
			return Event{}, false
		}
		ev.Index, ev.Status = *h.Index, h.Status
	case "end":
		if h.Next == nil || *h.Next < 0 {
			return Event{}, false
		}
		ev.Index = *h.Next
	default:
		return Event{}, false
	}
	return ev, true
}
