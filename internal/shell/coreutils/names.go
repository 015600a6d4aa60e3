package coreutils

import (
	"strings"
)

func init() {
	register(basename, "basename")
	register(dirname, "dirname")
}

var basenameSpec = optSpec{
	short: "as:z",
	long:  map[string]string{"multiple": "a", "suffix=": "s", "zero": "z"},
}

// basename prints NAME without its directories (and SUFFIX).
func basename(c *call) int {
	o, code := c.parseOpts(basenameSpec)
	if o == nil {
		return code
	}
	names := o.operands
	suffix, multi := o.val("s")
	multi = multi || o.has("a")
	switch {
	case len(names) == 0:
		return c.usage(1, "missing operand")
	case !multi && len(names) == 2:
		suffix, names = names[1], names[:1]
	case !multi && len(names) > 2:
		return c.usage(1, "extra operand %s", quote(names[2]))
	}
	end := byte('\n')
	if o.has("z") {
		end = 0
	}
	for _, n := range names {
		b := baseName(n)
		if suffix != "" && b != suffix && strings.HasSuffix(b, suffix) {
			b = strings.TrimSuffix(b, suffix)
		}
		c.out.WriteString(b)
		c.out.WriteByte(end)
	}
	return c.finish()
}

// baseName is POSIX basename: the last element, "/" for only slashes.
func baseName(p string) string {
	t := strings.TrimRight(p, "/")
	if t == "" {
		if p == "" {
			return ""
		}
		return "/"
	}
	return t[strings.LastIndexByte(t, '/')+1:]
}

// dirName is POSIX dirname: all but the last element, "." when none.
func dirName(p string) string {
	t := strings.TrimRight(p, "/")
	if t == "" {
		if p == "" {
			return "."
		}
		return "/"
	}
	i := strings.LastIndexByte(t, '/')
	if i < 0 {
		return "."
	}
	d := strings.TrimRight(t[:i], "/")
	if d == "" {
		return "/"
	}
	return d
}

var dirnameSpec = optSpec{short: "z", long: map[string]string{"zero": "z"}}

// dirname prints each NAME without its last element.
func dirname(c *call) int {
	o, code := c.parseOpts(dirnameSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	end := byte('\n')
	if o.has("z") {
		end = 0
	}
	for _, n := range o.operands {
		c.out.WriteString(dirName(n))
		c.out.WriteByte(end)
	}
	return c.finish()
}
