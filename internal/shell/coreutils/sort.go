package coreutils

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"strconv"
	"strings"
)

func init() { register(sortCmd, "sort") }

var sortSpec = optSpec{
	short: "nrufbk:t:so:cCzhgVMd",
	long: map[string]string{
		"numeric-sort": "n", "reverse": "r", "unique": "u", "ignore-case": "f",
		"ignore-leading-blanks": "b", "key=": "k", "field-separator=": "t", "stable": "s",
		"output=": "o", "check=?": "c", "zero-terminated": "z", "human-numeric-sort": "h",
		"general-numeric-sort": "g", "version-sort": "V", "month-sort": "M", "dictionary-order": "d",
	},
	usageCode: 2,
}

// sortKey is one -k field range and its ordering options.
type sortKey struct {
	startField, startChar int // 1-based; startChar 0 is the field's start
	endField, endChar     int // endField 0 is the line's end; endChar 0 the field's end
	flags                 string
	skipStartBlanks       bool
	skipEndBlanks         bool
}

// sorter holds sort's settings.
type sorter struct {
	keys    []sortKey
	global  string // ordering flags for keys without their own
	sep     byte   // -t, 0 for blank-separated fields
	hasSep  bool
	stable  bool
	reverse bool
}

// sortCmd sorts lines (in memory, up to maxHold): by whole line, or
// -k keys split on blanks or -t; -n numeric, -h human sizes, -g general
// numbers, -V versions, -M months, -f folding case, -b skipping blanks,
// -d dictionary order, -r reversed, -u unique, -s stable; -c checks; -o
// writes a file (which may be an input).
func sortCmd(c *call) int {
	o, code := c.parseOpts(sortSpec)
	if o == nil {
		return code
	}
	// -u keeps the first of equal lines: no last-resort comparison.
	s := &sorter{stable: o.has("s") || o.has("u"), reverse: o.has("r")}
	for _, f := range "nrfbhgVMd" {
		if o.has(string(f)) {
			s.global += string(f)
		}
	}
	if t, ok := o.val("t"); ok {
		t = unescapeSep(t)
		if len(t) != 1 {
			c.errorf("multi-character tab %s", quote(t))
			c.status = 2
			return c.finish()
		}
		s.sep, s.hasSep = t[0], true
	}
	for _, k := range o.vals("k") {
		key, err := parseSortKey(k)
		if err != nil {
			c.errorf("%s: invalid field specification %s", err, quote(k))
			c.status = 2
			return c.finish()
		}
		s.keys = append(s.keys, key)
	}
	delim := byte('\n')
	if o.has("z") {
		delim = 0
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	var lines [][]byte
	size := 0
	for _, name := range names {
		r, err := c.open(name)
		if err != nil {
			c.errorf("cannot read: %s: %s", name, errText(err))
			c.status = 2
			return c.finish()
		}
		lr := newLineReader(r)
		lr.delim = delim
		for !c.stopped() {
			line, _, err := lr.next()
			if err == io.EOF {
				break
			}
			if err == nil && size+len(line)+lineOverhead > maxHold {
				err = errTooMuch
			}
			if err != nil {
				r.Close()
				c.errorf("%s: %s", name, errText(err))
				c.status = 2
				return c.finish()
			}
			size += len(line) + lineOverhead
			lines = append(lines, bytes.Clone(line))
		}
		r.Close()
	}
	if c.stopped() {
		return c.finish()
	}
	if o.has("c") || o.has("C") {
		for i := 1; i < len(lines); i++ {
			cmp := s.compare(lines[i-1], lines[i])
			if cmp > 0 || cmp == 0 && o.has("u") {
				if !o.has("C") {
					v, _ := o.val("c")
					if v != "quiet" && v != "silent" {
						c.errorf("%s:%d: disorder: %s", names[0], i+1, lines[i])
					}
				}
				c.status = 1
				return c.finish()
			}
		}
		return c.finish()
	}
	less := func(i, j int) bool { return s.compare(lines[i], lines[j]) < 0 }
	sort.SliceStable(lines, less)
	out := io.Writer(c.out)
	if name, ok := o.val("o"); ok {
		f, err := c.create(name, false, 0o644&^umask)
		if err != nil {
			c.errorf("open failed: %s: %s", name, errText(err))
			c.status = 2
			return c.finish()
		}
		defer f.Close()
		out = f
	}
	w := newOutWriter(out)
	for i, l := range lines {
		if o.has("u") && i > 0 && s.keyCompare(lines[i-1], l) == 0 {
			continue
		}
		w.Write(l)
		w.WriteByte(delim)
	}
	w.Flush()
	if w.err != nil && out != io.Writer(c.out) {
		c.errorf("write failed: %s", errText(w.err))
		c.status = 2
	}
	return c.finish()
}

// unescapeSep reads -t's "\t" and "\0".
func unescapeSep(t string) string {
	switch t {
	case `\t`:
		return "\t"
	case `\0`:
		return "\x00"
	}
	return t
}

// errZeroField is a -k naming field 0.
var errZeroField = errors.New("field number is zero")

// parseSortKey reads F[.C][OPTS][,F[.C][OPTS]].
func parseSortKey(k string) (sortKey, error) {
	var key sortKey
	start, end, hasEnd := strings.Cut(k, ",")
	f, ch, flags, err := parseKeyPos(start)
	if err != nil {
		return key, err
	}
	if f < 1 {
		return key, errZeroField
	}
	key.startField, key.startChar, key.flags = f, ch, flags
	key.skipStartBlanks = strings.Contains(flags, "b")
	if hasEnd {
		f, ch, flags, err := parseKeyPos(end)
		if err != nil {
			return key, err
		}
		if f < 1 {
			return key, errZeroField
		}
		key.endField, key.endChar = f, ch
		key.flags += flags
		key.skipEndBlanks = strings.Contains(flags, "b")
	}
	return key, nil
}

// parseKeyPos reads one F[.C][OPTS].
func parseKeyPos(s string) (field, char int, flags string, err error) {
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, flags := s[:i], s[i:]
	if strings.Trim(flags, "bdfghinMRrV") != "" {
		return 0, 0, "", errBadNumber
	}
	f, c, hasChar := strings.Cut(num, ".")
	if field, err = strconv.Atoi(f); err != nil {
		return 0, 0, "", err
	}
	if hasChar {
		if char, err = strconv.Atoi(c); err != nil {
			return 0, 0, "", err
		}
	}
	return field, char, flags, nil
}

// compare orders two lines: by keys, then (unless -s) by whole line.
func (s *sorter) compare(a, b []byte) int {
	r := s.keyCompare(a, b)
	if r == 0 && !s.stable {
		r = bytes.Compare(a, b)
		if s.reverse {
			r = -r
		}
	}
	return r
}

// keyCompare orders two lines by their keys alone (the whole line when
// there are none).
func (s *sorter) keyCompare(a, b []byte) int {
	if len(s.keys) == 0 {
		return compareBy(a, b, s.global)
	}
	for _, k := range s.keys {
		flags := k.flags
		if strings.Trim(flags, "b") == "" {
			flags += s.global
		}
		r := compareBy(s.extract(a, k, flags), s.extract(b, k, flags), flags)
		if r != 0 {
			return r
		}
	}
	return 0
}

// fields splits a line into [start, end) byte offsets of its fields: with
// -t at each separator, else each field starting with its leading blanks.
func (s *sorter) fields(line []byte) [][2]int {
	var out [][2]int
	if s.hasSep {
		start := 0
		for i, b := range line {
			if b == s.sep {
				out = append(out, [2]int{start, i})
				start = i + 1
			}
		}
		return append(out, [2]int{start, len(line)})
	}
	i := 0
	for i < len(line) {
		start := i
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		for i < len(line) && !isBlank(line[i]) {
			i++
		}
		out = append(out, [2]int{start, i})
	}
	return out
}

// extract returns a line's key.
func (s *sorter) extract(line []byte, k sortKey, flags string) []byte {
	fs := s.fields(line)
	if k.startField > len(fs) {
		return nil
	}
	start := fs[k.startField-1][0]
	if k.skipStartBlanks || strings.Contains(flags, "b") {
		for start < len(line) && isBlank(line[start]) {
			start++
		}
	}
	if k.startChar > 0 {
		start = min(start+k.startChar-1, len(line))
	}
	end := len(line)
	if k.endField > 0 && k.endField <= len(fs) {
		f := fs[k.endField-1]
		end = f[1]
		if k.endChar > 0 {
			e := f[0]
			if k.skipEndBlanks {
				for e < len(line) && isBlank(line[e]) {
					e++
				}
			}
			end = min(e+k.endChar, len(line))
		}
	}
	if end < start {
		return nil
	}
	return line[start:end]
}

// isBlank is a space or tab.
func isBlank(b byte) bool { return b == ' ' || b == '\t' }
