package evaltest

import (
	"encoding/json"
)

// DefaultTolerance is the absolute tolerance for numbers when a case gives none.
const DefaultTolerance = 1e-9

// caseKeys are the keys a case object may have, in the order error messages list them.
var caseKeys = []string{"name", "args", "kwargs", "input", "expected", "tolerance", "raises"}

// Case is one labelled case. Raw JSON fields hold compact, valid UTF-8 JSON;
// a nil raw field means the key was absent, while the four bytes `null` mean
// the key was present with the value null ("expected": null requires the
// function to return None).
type Case struct {
	// Name is the case's label; the readers set it to "case N" (1-based)
	// when the file gives none or an empty string.
	Name string
	// Args is a JSON array of positional arguments, or nil.
	Args json.RawMessage
	// Kwargs is a JSON object of keyword arguments, or nil.
	Kwargs json.RawMessage
	// Input is the single argument used when neither Args nor Kwargs is
	// given, or nil.
	Input json.RawMessage
	// Expected is the expected return value, or nil when the case has none.
	Expected json.RawMessage
	// Tolerance is the absolute tolerance for numbers; nil means DefaultTolerance.
	Tolerance *float64
	// Raises names the exception class the call must raise (or a subclass
	// of it), or is empty.
	Raises string
}

// HasExpected reports whether the case gives an expected value (possibly null).
func (c *Case) HasExpected() bool { return c.Expected != nil }

// Tol returns the case's tolerance, or DefaultTolerance when it has none.
func (c *Case) Tol() float64 {
	if c.Tolerance != nil {
		return *c.Tolerance
	}
	return DefaultTolerance
}

// CallArgs returns the positional arguments as a JSON array: Args, or
// [Input] when the case uses input, or [] when it has neither.
func (c *Case) CallArgs() json.RawMessage {
	switch {
	case c.Args != nil:
		return c.Args
	case c.Kwargs == nil && c.Input != nil:
		b := make([]byte, 0, len(c.Input)+2)
		b = append(b, '[')
		b = append(b, c.Input...)
		return append(b, ']')
	default:
		return json.RawMessage("[]")
	}
}

// CallKwargs returns the keyword arguments as a JSON object ({} when none).
func (c *Case) CallKwargs() json.RawMessage {
	if c.Kwargs != nil {
		return c.Kwargs
	}
	return json.RawMessage("{}")
}
