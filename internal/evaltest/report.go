package evaltest

import (
	"encoding/json"
	"fmt"
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
