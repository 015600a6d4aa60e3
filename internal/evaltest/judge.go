package evaltest

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// judge gives the verdict on case c (0-based index i) from the harness's
// reply r, which arrived elapsed after the case was handed out. Only the
// reply comes from the guest; what the case expects never left the host.
// The duration is the time the guest measured around the call, bounded by
// the host's measure.
func judge(i int, c *Case, r *reply, elapsed time.Duration) CaseResult {
	res := newResult(i, c)
	res.Duration = Millis(elapsed)
	if r.Duration != nil {
		res.Duration = min(res.Duration, *r.Duration)
	}
	if r.CaseError != nil {
		res.Status = StatusError
		res.Error = &ErrorInfo{Type: "CaseError", Message: *r.CaseError}
		return res
	}
	res.Stdout = *r.Stdout
	if e := r.Raised; e != nil {
		info := e.ErrorInfo
		switch {
		case c.Raises == "":
			res.Status, res.Error = StatusError, &info
		case slices.Contains(e.Classes, c.Raises):
			res.Status = StatusPass
		default:
			res.Status, res.Error = StatusFail, &info
		}
		return res
	}
	res.Actual = r.Value
	switch {
	case c.Raises != "":
		got := "returned a value of type " + r.ValueType
		if r.Value != nil {
			got = "returned " + shortASCII(string(r.Value), 200)
		}
		res.Status = StatusFail
		res.Error = &ErrorInfo{Type: "AssertionError", Message: fmt.Sprintf("expected %s to be raised, but the call %s", c.Raises, got)}
	case !c.HasExpected():
		res.Status = StatusPass
	case r.NotJSON != nil:
		res.Status = StatusError
		res.Error = &ErrorInfo{Type: "TypeError", Message: *r.NotJSON}
	case equalRaw(r.Value, c.Expected, c.Tol()):
		res.Status = StatusPass
	default:
		res.Status = StatusFail
	}
	return res
}

// equalRaw compares two valid JSON values with equalJSON.
func equalRaw(actual, expected json.RawMessage, tol float64) bool {
	a, _ := decodeValue(actual, 0)
	e, _ := decodeValue(expected, 0)
	return equalJSON(a, e, tol)
}

// shortASCII cuts s after limit bytes, marking the cut with "...".
func shortASCII(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
