package coreutils

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

func init() { register(od, "od") }

var odSpec = optSpec{
	short: "A:t:N:j:vw:bcdosxi",
	long: map[string]string{
		"address-radix=": "A", "format=": "t", "read-bytes=": "N", "skip-bytes=": "j",
		"output-duplicates": "v", "width=?": "w",
	},
}

// odFormat is one -t output type.
type odFormat struct {
	kind byte // 'a', 'c', 'd', 'o', 'u', 'x'
	size int  // bytes per item
}

// od dumps files (or standard input) in octal (default), -t x1 hex, u/d
// decimal, c characters, a named characters; -A d/o/x/n addresses, -N
// and -j limit the bytes, -w the bytes a line, -v keeps repeated lines.
func od(c *call) int {
	o, code := c.parseOpts(odSpec)
	if o == nil {
		return code
	}
	radix := "o"
	if v, ok := o.val("A"); ok {
		if len(v) != 1 || !strings.Contains("doxn", v) {
			c.errorf("invalid output address radix '%s'; it must be one character from [doxn]", v)
			return c.finish()
		}
		radix = v
	}
	var formats []odFormat
	for _, x := range o.list {
		spec := map[string]string{"b": "o1", "c": "c", "d": "u2", "o": "o2", "s": "d2", "x": "x2", "i": "d4"}[x.key]
		if x.key == "t" {
			spec = x.val
		}
		if spec == "" {
			continue
		}
		f, err := parseODFormat(spec)
		if err != nil {
			c.errorf("%s", err)
			return c.finish()
		}
		formats = append(formats, f...)
	}
	if len(formats) == 0 {
		formats = []odFormat{{'o', 2}}
	}
	width := 16
	if v, ok := o.val("w"); ok {
		width = 32
		if v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				c.errorf("invalid -w argument %s", quote(v))
				return c.finish()
			}
			width = n
		}
	}
	var limit, skip int64 = -1, 0
	for k, dst := range map[string]*int64{"N": &limit, "j": &skip} {
		if v, ok := o.val(k); ok {
			n, err := parseSize(v)
			if err != nil {
				c.errorf("invalid argument %s", quote(v))
				return c.finish()
			}
			*dst = n
		}
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	var readers []io.Reader
	for _, n := range names {
		r, err := c.open(n)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			return c.finish()
		}
		defer r.Close()
		readers = append(readers, r)
	}
	in := io.MultiReader(readers...)
	if skip > 0 {
		if n, _ := io.CopyN(io.Discard, in, skip); n < skip {
			c.errorf("cannot skip past end of combined input")
			return c.finish()
		}
	}
	if limit >= 0 {
		in = io.LimitReader(in, limit)
	}
	addr := func(a int64) string {
		switch radix {
		case "d":
			return fmt.Sprintf("%07d", a)
		case "x":
			return fmt.Sprintf("%06x", a)
		case "n":
			return ""
		}
		return fmt.Sprintf("%07o", a)
	}
	buf := make([]byte, width)
	var prev []byte
	off := skip
	starred := false
	for !c.stopped() {
		n, err := io.ReadFull(in, buf)
		if n == 0 {
			break
		}
		line := buf[:n]
		if !o.has("v") && prev != nil && bytes.Equal(line, prev) && n == width {
			if !starred {
				c.out.WriteString("*\n")
				starred = true
			}
			off += int64(n)
			continue
		}
		starred = false
		prev = append(prev[:0], line...)
		for i, f := range formats {
			if i == 0 {
				c.out.WriteString(addr(off))
			} else if radix != "n" {
				c.out.WriteString(strings.Repeat(" ", len(addr(off))))
			}
			c.out.WriteString(odLine(line, f) + "\n")
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	if radix != "n" {
		c.out.WriteString(addr(off) + "\n")
	}
	return c.finish()
}

// parseODFormat reads a -t string such as x1, u4, d, c, a, or several
// ("x1c").
func parseODFormat(spec string) ([]odFormat, error) {
	var out []odFormat
	s := spec
	for len(s) > 0 {
		f := odFormat{kind: s[0], size: 4}
		s = s[1:]
		switch f.kind {
		case 'a', 'c':
			f.size = 1
		case 'd', 'o', 'u', 'x':
			if len(s) > 0 {
				switch s[0] {
				case 'C':
					f.size, s = 1, s[1:]
				case 'S':
					f.size, s = 2, s[1:]
				case 'I':
					f.size, s = 4, s[1:]
				case 'L':
					f.size, s = 8, s[1:]
				default:
					i := 0
					for i < len(s) && isDigit(s[i]) {
						i++
					}
					if i > 0 {
						n, _ := strconv.Atoi(s[:i])
						if n != 1 && n != 2 && n != 4 && n != 8 {
							return nil, fmt.Errorf("invalid type string %s;\nthis system doesn't provide a %d-byte integral type", quote(spec), n)
						}
						f.size, s = n, s[i:]
					}
				}
			}
		default:
			return nil, fmt.Errorf("invalid character '%c' in type string %s", f.kind, quote(spec))
		}
		out = append(out, f)
	}
	return out, nil
}

// odNames are -t a's names for the control characters.
var odNames = []string{"nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs", "ht", "nl", "vt", "ff", "cr", "so", "si",
	"dle", "dc1", "dc2", "dc3", "dc4", "nak", "syn", "etb", "can", "em", "sub", "esc", "fs", "gs", "rs", "us", "sp"}

// odLine renders one line of bytes in one format.
func odLine(line []byte, f odFormat) string {
	var b strings.Builder
	switch f.kind {
	case 'c':
		for _, ch := range line {
			s := map[byte]string{0: `\0`, '\a': `\a`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`}[ch]
			switch {
			case s != "":
			case ch >= 32 && ch < 127:
				s = string(ch)
			default:
				s = fmt.Sprintf("%03o", ch)
			}
			fmt.Fprintf(&b, " %3s", s)
		}
		return b.String()
	case 'a':
		for _, ch := range line {
			ch &= 0x7f
			s := string(ch)
			switch {
			case int(ch) < len(odNames):
				s = odNames[ch]
			case ch == 127:
				s = "del"
			}
			fmt.Fprintf(&b, " %3s", s)
		}
		return b.String()
	}
	widths := map[byte][]int{'o': {3, 6, 0, 11, 0, 0, 0, 22}, 'x': {2, 4, 0, 8, 0, 0, 0, 16}, 'u': {3, 5, 0, 10, 0, 0, 0, 20}, 'd': {4, 6, 0, 11, 0, 0, 0, 20}}
	w := widths[f.kind][f.size-1]
	padded := append([]byte(nil), line...)
	for len(padded)%f.size != 0 {
		padded = append(padded, 0)
	}
	for i := 0; i < len(padded); i += f.size {
		var v uint64
		switch f.size {
		case 1:
			v = uint64(padded[i])
		case 2:
			v = uint64(binary.LittleEndian.Uint16(padded[i:]))
		case 4:
			v = uint64(binary.LittleEndian.Uint32(padded[i:]))
		case 8:
			v = binary.LittleEndian.Uint64(padded[i:])
		}
		var s string
		switch f.kind {
		case 'o':
			s = fmt.Sprintf("%0*o", w, v)
		case 'x':
			s = fmt.Sprintf("%0*x", w, v)
		case 'u':
			s = fmt.Sprintf("%*d", w, v)
		case 'd':
			shift := 64 - 8*f.size // sign-extend the item
			s = fmt.Sprintf("%*d", w, int64(v<<shift)>>shift)
		}
		b.WriteString(" " + s)
	}
	return b.String()
}
