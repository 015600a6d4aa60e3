// Package evaltest holds the sandbox-independent parts of the eval tester:
// reading labelled cases, the Python harness that runs them inside the guest,
// the report types, and the JUnit and text renderings of a report.
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

// HarnessJSON returns the case in the normalised one-line form the harness
// reads (without a trailing newline):
//
//	{"name":"…","args":[…],"kwargs":{…},"tolerance":1e-09[,"expected":…][,"raises":"…"]}
//
// input is folded into args, so the harness always calls fn(*args, **kwargs).
func (c *Case) HarnessJSON() []byte {
	name, _ := json.Marshal(c.Name) // a string always marshals
	args, kwargs := c.CallArgs(), c.CallKwargs()
	b := make([]byte, 0, 64+len(name)+len(args)+len(kwargs)+len(c.Expected)+len(c.Raises))
	b = append(b, `{"name":`...)
	b = append(b, name...)
	b = append(b, `,"args":`...)
	b = append(b, args...)
	b = append(b, `,"kwargs":`...)
	b = append(b, kwargs...)
	b = append(b, `,"tolerance":`...)
	b = strconv.AppendFloat(b, c.Tol(), 'g', -1, 64)
	if c.Expected != nil {
		b = append(b, `,"expected":`...)
		b = append(b, c.Expected...)
	}
	if c.Raises != "" {
		raises, _ := json.Marshal(c.Raises)
		b = append(b, `,"raises":`...)
		b = append(b, raises...)
	}
	return append(b, '}')
}

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

// A member of a JSON object: its decoded key, the offsets of the key and of
// the value, and the end of the value.
type member struct {
	key                  string
	keyAt, valAt, valEnd int
}

// objectMembers appends the members of raw, a valid JSON object, to ms.
// It is a lean scanner that relies on raw being valid; it reports false if
// raw turns out not to be an object.
func objectMembers(raw []byte, ms []member) ([]member, bool) {
	i := skipWS(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return ms, false
	}
	i++
	for {
		i = skipWS(raw, i)
		if i < len(raw) && raw[i] == ',' {
			i = skipWS(raw, i+1)
		}
		if i >= len(raw) {
			return ms, false
		}
		if raw[i] == '}' {
			return ms, true
		}
		if raw[i] != '"' {
			return ms, false
		}
		keyAt := i
		keyEnd := skipString(raw, i)
		key, ok := jsonString(raw[keyAt:keyEnd])
		if !ok {
			return ms, false
		}
		i = skipWS(raw, keyEnd)
		if i >= len(raw) || raw[i] != ':' {
			return ms, false
		}
		valAt := skipWS(raw, i+1)
		valEnd := skipValue(raw, valAt)
		if valEnd <= valAt {
			return ms, false
		}
		ms = append(ms, member{key, keyAt, valAt, valEnd})
		i = valEnd
	}
}

// jsonString decodes the JSON string literal b.
func jsonString(b []byte) (string, bool) {
	if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 {
		return string(b[1 : len(b)-1]), true
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err == nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the end of the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the end of the (valid) JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default:
		j := i
		for j < len(b) && !isSpace(b[j]) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
			j++
		}
		return j
	}
}

// quoteKey quotes a key for a message, cutting a long one short.
func quoteKey(k string) string {
	if len(k) > 64 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(k[cut]) {
			cut--
		}
		return strconv.Quote(k[:cut]) + "…"
	}
	return strconv.Quote(k)
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return append(json.RawMessage(nil), v...)
	}
	return json.RawMessage(b.Bytes())
}

// outOfRangeNumber finds the first number in the JSON value v written
// with a fraction or an exponent that overflows a float64 (Python would read
// it as inf). Integers are exact in Python, whatever their size.
func outOfRangeNumber(v []byte) (num string, at int, bad bool) {
	inString := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			continue
		}
		j := i
		for j < len(v) && strings.IndexByte("+-0123456789.eE", v[j]) >= 0 {
			j++
		}
		lit := string(v[i:j])
		if strings.ContainsAny(lit, ".eE") {
			if f, err := strconv.ParseFloat(lit, 64); err != nil || math.IsInf(f, 0) {
				return lit, i, true
			}
		}
		i = j - 1
	}
	return "", 0, false
}

func isNumber(v []byte) bool {
	return len(v) > 0 && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9'))
}

func jsonKind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// suggestKey returns the valid key closest to an unknown one, if close enough.
func suggestKey(key string) string {
	lk := strings.ToLower(key)
	best, bestD := "", 3
	for _, k := range caseKeys {
		if lk == k {
			return k
		}
		d := editDistance(lk, k)
		if strings.HasPrefix(k, lk) && len(lk) >= 3 {
			d = 1
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// tracker sits between the cases file and the json.Decoder. It keeps the
// bytes from the start of the current case to the furthest point read, so
// that errors can be located by line and column and re-checked, and counts
// the newlines in what it has let go of.
type tracker struct {
	r      io.Reader
	mem    []byte // backing store of buf
	buf    []byte // retained bytes, a window into mem; buf[0] is at offset base
	base   int64
	out    int64 // offset of the next byte to hand to the decoder
	err    error // sticky error from r
	lines  int   // newlines before base
	lastNL int64 // offset of the last newline before base, or -1
}

const trackerChunk = 32 << 10

var utf8BOM = []byte("\xef\xbb\xbf")

// fill reads more of r into buf. It returns an error only when it read nothing.
func (t *tracker) fill() error {
	if t.err != nil {
		return t.err
	}
	if cap(t.buf)-len(t.buf) < trackerChunk/2 {
		// Slide the window to the start of mem, growing mem if it is
		// more than half full, so that copying stays amortised.
		if 2*(len(t.buf)+trackerChunk) > cap(t.mem) {
			t.mem = make([]byte, 2*(len(t.buf)+trackerChunk))
		}
		t.buf = t.mem[:copy(t.mem, t.buf)]
	}
	n, err := t.r.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if err != nil {
		t.err = err
		if n == 0 {
			return err
		}
	}
	return nil
}

// end is the offset just past everything read so far.
func (t *tracker) end() int64 { return t.base + int64(len(t.buf)) }

func (t *tracker) Read(p []byte) (int, error) {
	for t.out >= t.end() {
		if err := t.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, t.buf[t.out-t.base:])
	t.out += int64(n)
	return n, nil
}

// trackerReader reads the tracker's input from offset off on, retaining
// everything it reads. It serves to decode a bad value again.
type trackerReader struct {
	t   *tracker
	off int64
}

func (r *trackerReader) Read(p []byte) (int, error) {
	for r.off >= r.t.end() {
		if err := r.t.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.t.buf[r.off-r.t.base:])
	r.off += int64(n)
	return n, nil
}

// peekNonSpace skips a leading UTF-8 byte order mark and returns the first
// byte that is not white space and its offset, reading as needed but
// handing nothing to the decoder. It must be called before the first Read.
func (t *tracker) peekNonSpace() (byte, int64, error) {
	for len(t.buf) < len(utf8BOM) {
		if err := t.fill(); err != nil {
			break
		}
	}
	if bytes.HasPrefix(t.buf, utf8BOM) {
		t.buf = t.buf[len(utf8BOM):]
	}
	for i := t.out; ; i++ {
		for i >= t.end() {
			if err := t.fill(); err != nil {
				return 0, i, err
			}
		}
		if c := t.buf[i-t.base]; !isSpace(c) {
			return c, i, nil
		}
	}
}

// bytesFrom returns the retained bytes from offset off on.
func (t *tracker) bytesFrom(off int64) []byte {
	if off < t.base {
		off = t.base
	}
	if off > t.end() {
		return nil
	}
	return t.buf[off-t.base:]
}

// release lets go of the bytes before offset off.
func (t *tracker) release(off int64) {
	if off <= t.base {
		return
	}
	if off > t.end() {
		off = t.end()
	}
	drop := t.buf[:off-t.base]
	if k := bytes.Count(drop, []byte{'\n'}); k > 0 {
		t.lines += k
		t.lastNL = t.base + int64(bytes.LastIndexByte(drop, '\n'))
	}
	t.buf = t.buf[off-t.base:]
	t.base = off
}

// pos returns the 1-based line and column of offset off (off >= base).
func (t *tracker) pos(off int64) (line, col int) {
	if off < t.base {
		off = t.base
	}
	if off > t.end() {
		off = t.end()
	}
	kept := t.buf[:off-t.base]
	line = t.lines + bytes.Count(kept, []byte{'\n'}) + 1
	lastNL := t.lastNL
	if i := bytes.LastIndexByte(kept, '\n'); i >= 0 {
		lastNL = t.base + int64(i)
	}
	return line, int(off - lastNL)
}
