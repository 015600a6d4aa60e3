package coreutils

import (
	"bytes"
	"io"
	"strings"
)

func init() {
	register(tac, "tac")
	register(rev, "rev")
	register(paste, "paste")
	register(comm, "comm")
}

// tac prints files' lines in reverse order (holding them, up to maxHold).
func tac(c *call) int {
	names := c.Args[1:]
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, n := range names {
		r, err := c.open(n)
		if err != nil {
			c.errorf("failed to open %s for reading: %s", quote(n), errText(err))
			continue
		}
		var held lineQueue
		err = c.eachLine(r, '\n', withDelim(held.push, '\n'))
		r.Close()
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			continue
		}
		// An unterminated last line runs into the next one, as GNU's.
		for i := len(held.lines) - 1; i >= 0; i-- {
			c.out.Write(held.lines[i])
		}
	}
	return c.finish()
}

// rev reverses each line's characters.
func rev(c *call) int {
	names := c.Args[1:]
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, n := range names {
		r, err := c.open(n)
		if err != nil {
			c.errorf("cannot open %s: %s", n, errText(err))
			continue
		}
		err = c.eachLine(r, '\n', func(line []byte, nl bool) error {
			runes := []rune(string(line))
			for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
				runes[i], runes[j] = runes[j], runes[i]
			}
			c.out.WriteString(string(runes))
			if nl {
				c.out.WriteByte('\n')
			}
			return nil
		})
		r.Close()
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
		}
	}
	return c.finish()
}

var pasteSpec = optSpec{short: "d:s", long: map[string]string{"delimiters=": "d", "serial": "s"}}

// paste joins corresponding lines of files with tabs (-d LIST cycles
// through delimiters; -s joins each file's lines instead).
func paste(c *call) int {
	o, code := c.parseOpts(pasteSpec)
	if o == nil {
		return code
	}
	delims := "\t"
	if d, ok := o.val("d"); ok {
		delims = unescape(d)
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	var readers []*lineReader
	for _, n := range names {
		r, err := c.open(n)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			return c.finish()
		}
		defer r.Close()
		readers = append(readers, newLineReader(r))
	}
	delim := func(i int) string {
		if delims == "" {
			return ""
		}
		return string(delims[i%len(delims)])
	}
	if o.has("s") {
		for _, lr := range readers {
			for i := 0; !c.stopped(); i++ {
				line, _, err := lr.next()
				if err == io.EOF {
					break
				}
				if i > 0 {
					c.out.WriteString(delim(i - 1))
				}
				c.out.Write(line)
			}
			c.out.WriteByte('\n')
		}
		return c.finish()
	}
	for !c.stopped() {
		var parts []string
		live := 0
		for _, lr := range readers {
			line, _, err := lr.next()
			if err == nil {
				live++
			}
			parts = append(parts, string(line))
		}
		if live == 0 {
			break
		}
		for i, p := range parts {
			if i > 0 {
				c.out.WriteString(delim(i - 1))
			}
			c.out.WriteString(p)
		}
		c.out.WriteByte('\n')
	}
	return c.finish()
}

var commSpec = optSpec{short: "123", long: map[string]string{"output-delimiter=": "delim"}}

// comm compares two sorted files: lines only in the first, only in the
// second, and in both, in three columns (-1 -2 -3 hide them).
func comm(c *call) int {
	o, code := c.parseOpts(commSpec)
	if o == nil {
		return code
	}
	if len(o.operands) != 2 {
		if len(o.operands) < 2 {
			return c.usage(1, "missing operand after %s", quote(c.Args[len(c.Args)-1]))
		}
		return c.usage(1, "extra operand %s", quote(o.operands[2]))
	}
	var lrs [2]*lineReader
	for i, n := range o.operands {
		r, err := c.open(n)
		if err != nil {
			c.errorf("%s: %s", n, errText(err))
			return c.finish()
		}
		defer r.Close()
		lrs[i] = newLineReader(r)
	}
	sep, ok := o.val("delim")
	if !ok {
		sep = "\t"
	}
	show := func(col int, line []byte) {
		if o.has(string(rune('1' + col))) {
			return
		}
		prefix := ""
		for k := 0; k < col; k++ {
			if !o.has(string(rune('1' + k))) {
				prefix += sep
			}
		}
		c.out.WriteString(prefix + string(line) + "\n")
	}
	next := func(i int) ([]byte, bool) {
		line, _, err := lrs[i].next()
		return bytes.Clone(line), err == nil
	}
	a, okA := next(0)
	b, okB := next(1)
	for (okA || okB) && !c.stopped() {
		switch cmp := strings.Compare(string(a), string(b)); {
		case okA && (!okB || cmp < 0):
			show(0, a)
			a, okA = next(0)
		case okB && (!okA || cmp > 0):
			show(1, b)
			b, okB = next(1)
		default:
			show(2, a)
			a, okA = next(0)
			b, okB = next(1)
		}
	}
	return c.finish()
}
