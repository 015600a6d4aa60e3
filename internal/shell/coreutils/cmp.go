package coreutils

import (
	"bufio"
	"fmt"
	"io"
)

func init() { register(cmp, "cmp") }

var cmpSpec = optSpec{
	short:     "lsbn:i:",
	long:      map[string]string{"verbose": "l", "silent": "s", "quiet": "s", "print-bytes": "b", "bytes=": "n"},
	usageCode: 2,
}

// cmp compares two files byte by byte: status 0 when equal, 1 when not
// (the first difference printed; -l lists all, -s prints nothing), 2 on
// trouble.
func cmp(c *call) int {
	c.prefixTry = true
	o, code := c.parseOpts(cmpSpec)
	if o == nil {
		return code
	}
	names := o.operands
	switch {
	case len(names) == 0:
		return c.usage(2, "missing operand after %s", quote(c.name))
	case len(names) == 1:
		names = append(names, "-")
	case len(names) > 2:
		return c.usage(2, "invalid --ignore-initial value %s", quote(names[2]))
	}
	limit := int64(-1)
	if v, ok := o.val("n"); ok {
		n, err := parseSize(v)
		if err != nil {
			return c.usage(2, "invalid --bytes value %s", quote(v))
		}
		limit = n
	}
	var readers [2]*bufio.Reader
	for i, n := range names {
		r, err := c.open(n)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			c.status = 2
			return c.finish()
		}
		defer r.Close()
		readers[i] = bufio.NewReaderSize(r, 64<<10)
	}
	line, pos := int64(1), int64(0)
	var prev byte
	differ := false
	for !c.stopped() && (limit < 0 || pos < limit) {
		a, errA := readers[0].ReadByte()
		b, errB := readers[1].ReadByte()
		if errA != nil || errB != nil {
			if errA == io.EOF && errB == io.EOF {
				break
			}
			for i, err := range []error{errA, errB} {
				if err != nil && err != io.EOF {
					c.errorf("%s: %s", names[i], errText(err))
					c.status = 2
					return c.finish()
				}
			}
			short := names[0]
			if errB == io.EOF {
				short = names[1]
			}
			if !o.has("s") {
				c.out.Flush()
				if pos == 0 {
					fmt.Fprintf(c.Stderr, "cmp: EOF on %s which is empty\n", short)
				} else if o.has("l") {
					fmt.Fprintf(c.Stderr, "cmp: EOF on %s after byte %d\n", short, pos)
				} else {
					if prev == '\n' {
						line-- // the line the last byte ended
					}
					fmt.Fprintf(c.Stderr, "cmp: EOF on %s after byte %d, line %d\n", short, pos, line)
				}
			}
			c.status = 1
			return c.finish()
		}
		pos++
		if a != b {
			differ = true
			if o.has("s") {
				break
			}
			if !o.has("l") {
				if o.has("b") {
					fmt.Fprintf(c.out, "%s %s differ: byte %d, line %d is %3o %s %3o %s\n", names[0], names[1], pos, line, a, printable(a), b, printable(b))
				} else {
					fmt.Fprintf(c.out, "%s %s differ: char %d, line %d\n", names[0], names[1], pos, line)
				}
				break
			}
			fmt.Fprintf(c.out, "%d %3o %3o\n", pos, a, b)
		}
		if a == '\n' {
			line++
		}
		prev = a
	}
	if differ {
		c.status = 1
	}
	return c.finish()
}

// printable renders a byte as cmp -b does.
func printable(b byte) string {
	switch {
	case b >= 128:
		return "M-" + printable(b-128)
	case b < 32:
		return "^" + string(rune(b+64))
	case b == 127:
		return "^?"
	}
	return string(rune(b))
}
