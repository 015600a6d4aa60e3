package evaltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ReadCases streams the cases in r to fn, in order, with i the 0-based index
// of the case (the index the harness uses). r holds either a JSON array of
// case objects or JSON Lines (case objects separated by newlines; blank lines
// are skipped); the first non-space byte decides which. An empty file, like
// an empty array, holds zero cases. Each case is decoded and checked once, and
// only one case is held in memory at a time.
//
// A malformed file or case yields a *CaseError. An error returned by fn stops
// the reading and is returned as is.
func ReadCases(r io.Reader, fn func(i int, c Case) error) error {
	t := &tracker{r: r, lastNL: -1}
	first, at, err := t.peekNonSpace()
	if err != nil {
		if err == io.EOF {
			return nil
		}
		return &CaseError{Msg: "reading cases: " + err.Error(), Err: err}
	}
	rd := &caseReader{t: t, dec: json.NewDecoder(t), fn: fn}
	switch first {
	case '[':
		rd.array = true
		return rd.readArray()
	case '{':
		return rd.readLines()
	default:
		line, col := t.pos(at)
		return &CaseError{Line: line, Col: col,
			Msg: fmt.Sprintf("invalid cases file: want a JSON array of case objects or JSON Lines of case objects, found %s", quoteByte(first))}
	}
}

// ParseCases parses a whole cases file held in memory; see ReadCases.
func ParseCases(data []byte) ([]Case, error) {
	var cases []Case
	err := ReadCases(bytes.NewReader(data), func(_ int, c Case) error {
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cases, nil
}

// ReadCasesFile opens path and streams its cases to fn like ReadCases; a
// *CaseError it returns names the file by its base name.
func ReadCasesFile(path string, fn func(i int, c Case) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = ReadCases(f, fn)
	if ce, ok := err.(*CaseError); ok {
		ce.File = baseName(path)
	}
	return err
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

type caseReader struct {
	t     *tracker
	dec   *json.Decoder
	fn    func(int, Case) error
	n     int  // cases delivered so far
	array bool // the file is a JSON array, whose elements are separated by commas
}

func (rd *caseReader) readArray() error {
	if _, err := rd.dec.Token(); err != nil { // the '['
		return rd.syntaxError(0, rd.t.out, err)
	}
	for {
		more := rd.dec.More()
		start := rd.nextNonSpace(rd.dec.InputOffset())
		if !more {
			break
		}
		if err := rd.readOne(start); err != nil {
			return err
		}
	}
	if _, err := rd.dec.Token(); err != nil { // the ']'
		return rd.syntaxError(0, rd.nextNonSpace(rd.dec.InputOffset()), err)
	}
	if rd.dec.More() {
		// More has read up to the stray byte. Point at it: a comma here
		// is the stray data, not a separator to skip.
		off := rd.dec.InputOffset()
		off += int64(skipWS(rd.t.bytesFrom(off), 0))
		line, col := rd.t.pos(off)
		return &CaseError{Line: line, Col: col, Msg: "invalid JSON: unexpected data after the end of the array"}
	}
	return nil
}

func (rd *caseReader) readLines() error {
	for rd.dec.More() {
		start := rd.nextNonSpace(rd.dec.InputOffset())
		if err := rd.readOne(start); err != nil {
			return err
		}
	}
	// More also stops at a stray ']' or '}'.
	off := rd.nextNonSpace(rd.dec.InputOffset())
	if b := rd.t.bytesFrom(off); len(b) > 0 {
		line, col := rd.t.pos(off)
		return &CaseError{Line: line, Col: col, Msg: fmt.Sprintf("invalid JSON: unexpected %s", quoteByte(b[0]))}
	}
	return nil
}

// nextNonSpace returns the offset of the first byte at or after off that is
// neither JSON white space nor, in an array, the first separating comma.
func (rd *caseReader) nextNonSpace(off int64) int64 {
	b := rd.t.bytesFrom(off)
	i := skipWS(b, 0)
	if rd.array && i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	return off + int64(i)
}

// readOne decodes the next case; start is an offset at or before its first
// byte (the decoder may not have read that far yet).
func (rd *caseReader) readOne(start int64) error {
	num := rd.n + 1
	rd.t.release(start)
	var raw json.RawMessage
	if err := rd.dec.Decode(&raw); err != nil {
		return rd.syntaxError(num, start, err)
	}
	// The decoder stops right after the value, and raw holds its exact bytes.
	at := rd.dec.InputOffset() - int64(len(raw))
	c, err := parseCase(raw, num, func(rel int) (int, int) { return rd.t.pos(at + int64(rel)) })
	if err != nil {
		return err
	}
	rd.n++
	return rd.fn(num-1, c)
}

// syntaxError turns a decoding error into a *CaseError located in the file.
// The json.Decoder's own offsets depend on its buffering, so the error is
// located afresh from from, an offset at or before the start of the value
// that failed (any separating comma is already behind from): a container is
// decoded again on its own, anything else is reported where it starts.
func (rd *caseReader) syntaxError(num int, from int64, err error) error {
	var se *json.SyntaxError
	if !errors.As(err, &se) && err != io.ErrUnexpectedEOF && err != io.EOF {
		return &CaseError{Case: num, Msg: "reading cases: " + err.Error(), Err: err}
	}
	for { // skip white space, reading on as needed
		b := rd.t.bytesFrom(from)
		i := skipWS(b, 0)
		from += int64(i)
		if i < len(b) || rd.t.fill() != nil {
			break
		}
	}
	msg, off := "invalid JSON: unexpected end of input", rd.t.end()
	if b := rd.t.bytesFrom(from); len(b) > 0 {
		off = from
		switch c := b[0]; {
		case c == '{' || c == '[':
			msg = "invalid JSON: " + err.Error()
			var v json.RawMessage
			verr := json.NewDecoder(&trackerReader{rd.t, from}).Decode(&v)
			var se2 *json.SyntaxError
			switch {
			case errors.As(verr, &se2):
				msg, off = "invalid JSON: "+se2.Error(), from+se2.Offset-1
			case verr == io.ErrUnexpectedEOF:
				msg, off = "invalid JSON: unexpected end of input", rd.t.end()
			}
		case c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n':
			msg = "a case must be a JSON object, got " + jsonKind(b)
		default:
			msg = fmt.Sprintf("invalid JSON: invalid character %s looking for the beginning of a value", quoteByte(c))
		}
	}
	line, col := rd.t.pos(off)
	return &CaseError{Case: num, Line: line, Col: col, Msg: msg, Err: err}
}

// parseCase checks one case object. raw is valid JSON; pos maps an offset in
// raw to a line and column in the file.
func parseCase(raw json.RawMessage, num int, pos func(rel int) (int, int)) (Case, error) {
	var c Case
	fail := func(rel int, key, msg string) error {
		line, col := pos(rel)
		return &CaseError{Case: num, Line: line, Col: col, Key: key, Msg: msg}
	}
	if raw[0] != '{' {
		return c, fail(0, "", fmt.Sprintf("a case must be a JSON object, got %s", jsonKind(raw)))
	}
	if !utf8.Valid(raw) {
		return c, fail(0, "", "invalid UTF-8 in case")
	}
	keyAt := map[string]int{}
	members, ok := objectMembers(raw, nil)
	if !ok {
		return c, fail(0, "", "invalid JSON object")
	}
	for _, m := range members {
		key, keyRel, valRel := m.key, m.keyAt, m.valAt
		v := json.RawMessage(raw[m.valAt:m.valEnd])
		if _, dup := keyAt[key]; dup {
			return c, fail(keyRel, key, fmt.Sprintf("duplicate key %s", quoteKey(key)))
		}
		keyAt[key] = keyRel
		typeErr := func(want string) error {
			return fail(valRel, key, fmt.Sprintf("%q must be %s, got %s", key, want, jsonKind(v)))
		}
		switch key {
		case "name":
			if v[0] != '"' {
				return c, typeErr("a string")
			}
			c.Name, _ = jsonString(v)
		case "raises":
			if v[0] != '"' {
				return c, typeErr("a string naming an exception class")
			}
			c.Raises, _ = jsonString(v)
			if strings.TrimSpace(c.Raises) == "" || strings.ContainsAny(c.Raises, " \t\r\n") {
				return c, fail(valRel, key, fmt.Sprintf("%q must name an exception class, got %s", key, strconv.Quote(c.Raises)))
			}
		case "args", "kwargs", "input", "expected":
			if key == "args" && v[0] != '[' {
				return c, typeErr("an array")
			}
			if key == "kwargs" && v[0] != '{' {
				return c, typeErr("an object")
			}
			if num, rel, bad := outOfRangeNumber(v); bad {
				return c, fail(valRel+rel, key, fmt.Sprintf("%q holds the number %s, which is out of range for a float", key, num))
			}
			v = compact(v)
			switch key {
			case "args":
				c.Args = v
			case "kwargs":
				c.Kwargs = v
			case "input":
				c.Input = v
			default:
				c.Expected = v
			}
		case "tolerance":
			if !isNumber(v) {
				return c, typeErr("a non-negative number")
			}
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil || math.IsInf(f, 0) {
				return c, fail(valRel, key, fmt.Sprintf("%q is out of range: %s", key, v))
			}
			if f < 0 {
				return c, fail(valRel, key, fmt.Sprintf("%q must be a non-negative number, got %s", key, v))
			}
			c.Tolerance = &f
		default:
			msg := fmt.Sprintf("unknown key %s (valid keys: %s)", quoteKey(key), strings.Join(caseKeys, ", "))
			if s := suggestKey(key); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return c, fail(keyRel, key, msg)
		}
	}
	if c.Input != nil && (c.Args != nil || c.Kwargs != nil) {
		other := "args"
		if c.Args == nil {
			other = "kwargs"
		}
		return c, fail(keyAt["input"], "input", fmt.Sprintf(`"input" cannot be combined with %q: use "input" for a single argument, or "args"/"kwargs"`, other))
	}
	if c.Expected != nil && c.Raises != "" {
		return c, fail(keyAt["raises"], "raises", `"expected" and "raises" cannot both be given: a call that raises returns nothing`)
	}
	if c.Name == "" {
		c.Name = "case " + strconv.Itoa(num)
	}
	return c, nil
}
