package coreutils

import (
	"bytes"
	"fmt"
	"io"
)

func init() { register(uniq, "uniq") }

var uniqSpec = optSpec{
	short: "cduif:s:w:z",
	long: map[string]string{
		"count": "c", "repeated": "d", "unique": "u", "ignore-case": "i", "skip-fields=": "f",
		"skip-chars=": "s", "check-chars=": "w", "zero-terminated": "z",
	},
}

// uniq drops adjacent repeated lines of INPUT (or standard input), writing
// OUTPUT (or standard output): -c counts, -d only repeated, -u only unique,
// -i folds case, -f/-s/-w choose the compared part.
func uniq(c *call) int {
	o, code := c.parseOpts(uniqSpec)
	if o == nil {
		return code
	}
	nums := map[string]int64{"f": 0, "s": 0, "w": -1}
	for k := range nums {
		if v, ok := o.val(k); ok {
			n, err := parseUint(v)
			if err != nil {
				what := map[string]string{"f": "fields to skip", "s": "bytes to skip", "w": "bytes to compare"}[k]
				c.errorf("%s: invalid number of %s", v, what)
				return c.finish()
			}
			nums[k] = n
		}
	}
	args := o.operands
	if len(args) > 2 {
		return c.usage(1, "extra operand %s", quote(args[2]))
	}
	in := "-"
	if len(args) > 0 {
		in = args[0]
	}
	r, err := c.open(in)
	if err != nil {
		c.errorf("%s: %s", in, errText(err))
		return c.finish()
	}
	defer r.Close()
	out := io.Writer(c.out)
	if len(args) == 2 && args[1] != "-" {
		f, err := c.create(args[1], false, 0o644&^umask)
		if err != nil {
			c.errorf("%s: %s", args[1], errText(err))
			return c.finish()
		}
		defer f.Close()
		w := newOutWriter(f)
		defer w.Flush()
		out = w
	}
	delim := byte('\n')
	if o.has("z") {
		delim = 0
	}
	key := func(line []byte) []byte {
		for f := int64(0); f < nums["f"]; f++ {
			line = bytes.TrimLeft(line, " \t")
			i := bytes.IndexAny(line, " \t")
			if i < 0 {
				line = nil
				break
			}
			line = line[i:]
		}
		line = line[min(int64(len(line)), nums["s"]):]
		if nums["w"] >= 0 {
			line = line[:min(int64(len(line)), nums["w"])]
		}
		if o.has("i") {
			line = bytes.ToLower(line)
		}
		return line
	}
	var prev []byte
	count := int64(0)
	flush := func() {
		if count == 0 || o.has("d") && count == 1 || o.has("u") && count > 1 {
			return
		}
		if o.has("c") {
			fmt.Fprintf(out, "%7d ", count)
		}
		out.Write(prev)
		out.Write([]byte{delim})
	}
	lr := newLineReader(r)
	lr.delim = delim
	for !c.stopped() {
		line, _, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.errorf("%s: %s", in, errText(err))
			break
		}
		if count > 0 && bytes.Equal(key(prev), key(line)) {
			count++
			continue
		}
		flush()
		prev, count = bytes.Clone(line), 1
	}
	flush()
	return c.finish()
}
