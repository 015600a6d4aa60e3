package evaltest

import (
	"fmt"
	"strings"
)

// CaseError is a usage error in a cases file. Case is the 1-based number of
// the case it concerns (0 when it concerns no single case); Line and Col
// (1-based, Col counts bytes) locate it when known (0 otherwise); Key is
// the case key concerned, if any.
type CaseError struct {
	File string // set by ReadCasesFile; prefixes the message when not empty
	Case int
	Line int
	Col  int
	Key  string
	Msg  string
	Err  error // underlying error, e.g. a *json.SyntaxError or a read error
}

func (e *CaseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	switch {
	case e.Case > 0 && e.Line > 0:
		fmt.Fprintf(&b, "case %d (line %d, column %d): ", e.Case, e.Line, e.Col)
	case e.Case > 0:
		fmt.Fprintf(&b, "case %d: ", e.Case)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Col)
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *CaseError) Unwrap() error { return e.Err }
