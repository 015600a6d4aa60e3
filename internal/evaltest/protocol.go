package evaltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The lines the host and harness.py exchange; harness.py's docstring has the
// protocol. Everything the host reads here comes from the guest, which the
// code under test may control: it is checked, and judged against what the
// host alone knows.

// maxReplyBytes caps one reply line. A longer one is a protocol violation.
const maxReplyBytes = 16 << 20

// request is the line that hands case c (0-based index i) to the harness:
// its call only, never what the call must give.
func request(i int, c *Case) []byte {
	args, kwargs := c.CallArgs(), c.CallKwargs()
	b := make([]byte, 0, 40+len(args)+len(kwargs))
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `,"args":`...)
	b = append(b, args...)
	b = append(b, `,"kwargs":`...)
	b = append(b, kwargs...)
	return append(b, "}\n"...)
}

// loadLine is the harness's first line: ready, or why the code did not load.
type loadLine struct {
	Ready     bool       `json:"ready"`
	LoadError *ErrorInfo `json:"loadError"`
}

// parseLoadLine decodes the harness's first line.
func parseLoadLine(line []byte) (loadLine, error) {
	var l loadLine
	if err := strictDecode(line, &l); err != nil {
		return l, err
	}
	if l.Ready == (l.LoadError != nil) {
		return l, errors.New(`want {"ready": true} or {"loadError": {...}}`)
	}
	return l, nil
}

// raised describes an exception the call raised.
type raised struct {
	ErrorInfo
	// Classes names the classes of the exception's MRO (__name__ and
	// __qualname__); a case's "raises" matches any of them.
	Classes []string `json:"classes"`
}

// reply is the harness's answer for one case: exactly one of Value,
// NotJSON, Raised and CaseError is set.
type reply struct {
	Index     *int            `json:"index"`
	Duration  *float64        `json:"duration"`
	Stdout    *string         `json:"stdout"`
	Value     json.RawMessage `json:"value"`
	NotJSON   *string         `json:"notJSON"`
	ValueType string          `json:"valueType"`
	Raised    *raised         `json:"raised"`
	CaseError *string         `json:"caseError"`
}

// parseReply decodes the reply line for case index.
func parseReply(line []byte, index int) (*reply, error) {
	var r reply
	if err := strictDecode(line, &r); err != nil {
		return nil, err
	}
	kinds := 0
	for _, set := range []bool{r.Value != nil, r.NotJSON != nil, r.Raised != nil, r.CaseError != nil} {
		if set {
			kinds++
		}
	}
	switch {
	case r.Index == nil || *r.Index != index:
		return nil, fmt.Errorf("the reply is not for case %d", index+1)
	case kinds != 1:
		return nil, errors.New("a reply must hold exactly one of value, notJSON, raised and caseError")
	case r.CaseError == nil && r.Stdout == nil:
		return nil, errors.New("the reply has no stdout")
	case r.CaseError == nil && (r.Duration == nil || !(*r.Duration >= 0)):
		return nil, errors.New("the reply has no duration, or a negative one")
	case r.Raised != nil && r.Raised.Type == "":
		return nil, errors.New("the reply names no exception type")
	case r.NotJSON != nil && r.ValueType == "":
		return nil, errors.New("the reply names no value type")
	}
	if r.Value != nil {
		if num, _, bad := outOfRangeNumber(r.Value); bad {
			return nil, fmt.Errorf("the value holds the number %s, which is out of range for a float", num)
		}
		r.Value = compact(r.Value)
	}
	return &r, nil
}

// strictDecode decodes one JSON object line into v: valid UTF-8, no unknown
// key, nothing after the object.
func strictDecode(line []byte, v any) error {
	if !utf8.Valid(line) {
		return errors.New("invalid UTF-8")
	}
	line = bytes.TrimRight(line, "\r")
	if len(line) == 0 || line[0] != '{' {
		return errors.New("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
		return errors.New("data after the JSON object")
	}
	return nil
}
