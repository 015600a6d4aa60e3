package coreutils

import (
	"encoding/base64"
	"io"
	"strconv"
)

func init() { register(base64Cmd, "base64") }

var base64Spec = optSpec{
	short: "dw:i",
	long:  map[string]string{"decode": "d", "wrap=": "w", "ignore-garbage": "i"},
}

// base64Cmd encodes a file (or standard input) as base64 in lines of 76
// (-w COLS, 0 for one line), or decodes it (-d; -i skips other bytes).
func base64Cmd(c *call) int {
	o, code := c.parseOpts(base64Spec)
	if o == nil {
		return code
	}
	wrap := 76
	if v, ok := o.val("w"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.errorf("invalid wrap size: %s", quote(v))
			return c.finish()
		}
		wrap = n
	}
	if len(o.operands) > 1 {
		return c.usage(1, "extra operand %s", quote(o.operands[1]))
	}
	name := "-"
	if len(o.operands) == 1 {
		name = o.operands[0]
	}
	r, err := c.open(name)
	if err != nil {
		c.errorf("%s: %s", name, errText(err))
		return c.finish()
	}
	defer r.Close()
	if o.has("d") {
		dec := base64.NewDecoder(base64.StdEncoding, &base64Filter{r: r, garbage: o.has("i")})
		if _, err := io.Copy(c.out, dec); err != nil && c.out.err == nil && c.ctx.Err() == nil {
			c.errorf("invalid input")
		}
		return c.finish()
	}
	w := &lineWrapper{w: c.out, width: wrap}
	enc := base64.NewEncoder(base64.StdEncoding, w)
	_, err = io.Copy(enc, r)
	enc.Close()
	if wrap > 0 && w.col > 0 {
		c.out.WriteByte('\n')
	}
	if err != nil && c.ctx.Err() == nil {
		c.errorf("%s: %s", name, errText(err))
	}
	return c.finish()
}

// base64Filter drops line breaks (and with garbage, every byte outside
// the alphabet) from base64 input.
type base64Filter struct {
	r       io.Reader
	garbage bool
}

func (f *base64Filter) Read(p []byte) (int, error) {
	for {
		n, err := f.r.Read(p)
		k := 0
		for _, b := range p[:n] {
			keep := b != '\n' && b != '\r'
			if f.garbage {
				keep = isAlpha(b) || isDigit(b) || b == '+' || b == '/' || b == '='
			}
			if keep {
				p[k] = b
				k++
			}
		}
		if k > 0 || err != nil {
			return k, err
		}
	}
}

// lineWrapper breaks its output into lines of width bytes (0: no breaks).
type lineWrapper struct {
	w       io.Writer
	width   int
	col     int
	written int64
}

func (l *lineWrapper) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		n := len(p)
		if l.width > 0 {
			n = min(n, l.width-l.col)
		}
		if _, err := l.w.Write(p[:n]); err != nil {
			return total - len(p), err
		}
		l.col += n
		l.written += int64(n)
		p = p[n:]
		if l.width > 0 && l.col == l.width {
			if _, err := l.w.Write([]byte{'\n'}); err != nil {
				return total - len(p), err
			}
			l.col = 0
		}
	}
	return total, nil
}
