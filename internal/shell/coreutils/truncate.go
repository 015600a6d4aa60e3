package coreutils

import (
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

func init() {
	register(truncate, "truncate")
	// Everything is written when a write returns: sync has nothing to do.
	register(func(c *call) int { return 0 }, "sync")
}

var truncateSpec = optSpec{
	short: "cs:r:o",
	long:  map[string]string{"no-create": "c", "size=": "s", "reference=": "r", "io-blocks": "o"},
}

// truncate sets files' sizes: -s N, +N, -N, <N, >N (with K, M, G
// suffixes) or -r FILE's; missing files are created unless -c.
func truncate(c *call) int {
	o, code := c.parseOpts(truncateSpec)
	if o == nil {
		return code
	}
	spec, hasSize := o.val("s")
	ref, hasRef := o.val("r")
	if !hasSize && !hasRef {
		return c.usage(1, "you must specify either '--size' or '--reference'")
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing file operand")
	}
	var op byte
	var n int64
	if hasSize {
		if spec != "" && strings.IndexByte("+-<>/%", spec[0]) >= 0 {
			op, spec = spec[0], spec[1:]
		}
		var err error
		if n, err = parseSize(spec); err != nil {
			c.errorf("Invalid number: %s", quote(spec))
			return c.finish()
		}
	}
	if hasRef {
		st, err := c.stat(ref)
		if err != nil {
			c.errorf("cannot stat %s: %s", quote(ref), errText(err))
			return c.finish()
		}
		if !hasSize {
			n = st.Size
		}
	}
	for _, name := range o.operands {
		flag := experimentalsys.O_WRONLY
		if !o.has("c") {
			flag |= experimentalsys.O_CREAT
		}
		f, e := c.FS.OpenFile(c.Path(name), flag, 0o644&^umask)
		if e == experimentalsys.ENOENT && o.has("c") {
			continue
		}
		if e != 0 {
			c.errorf("cannot open %s for writing: %s", quote(name), errText(e))
			continue
		}
		st, e := f.Stat()
		size := n
		if e == 0 {
			switch op {
			case '+':
				size = st.Size + n
			case '-':
				size = max(st.Size-n, 0)
			case '<':
				size = min(st.Size, n)
			case '>':
				size = max(st.Size, n)
			case '/':
				if n > 0 {
					size = st.Size / n * n
				}
			case '%':
				if n > 0 {
					size = (st.Size + n - 1) / n * n
				}
			}
			e = f.Truncate(size)
		}
		f.Close()
		if e != 0 {
			c.errorf("failed to truncate %s at %d bytes: %s", quote(name), size, errText(e))
		}
	}
	return c.finish()
}
