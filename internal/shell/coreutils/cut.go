package coreutils

import (
	"bytes"
	"io"
	"strconv"
	"strings"
)

func init() { register(cut, "cut") }

var cutSpec = optSpec{
	short: "b:c:d:f:snz",
	long: map[string]string{
		"bytes=": "b", "characters=": "c", "delimiter=": "d", "fields=": "f", "only-delimited": "s",
		"complement": "complement", "output-delimiter=": "output", "zero-terminated": "z",
	},
}

// cutRange is one LIST item, 1-based and inclusive; hi 0 is open-ended.
type cutRange struct{ lo, hi int }

// cut prints selected bytes (-b), characters (-c, bytes here) or
// delimited fields (-f, -d, default tab) of each line; --complement
// inverts, -s drops lines without a delimiter.
func cut(c *call) int {
	o, code := c.parseOpts(cutSpec)
	if o == nil {
		return code
	}
	var list string
	mode := ""
	for _, k := range []string{"b", "c", "f"} {
		if v, ok := o.val(k); ok {
			if mode != "" {
				return c.usage(1, "only one list may be specified")
			}
			mode, list = k, v
		}
	}
	if mode == "" {
		return c.usage(1, "you must specify a list of bytes, characters, or fields")
	}
	ranges, err := parseCutList(list, mode == "f")
	if err != nil {
		return c.usage(1, "%s", err)
	}
	delim := byte('\t')
	if d, ok := o.val("d"); ok {
		if mode != "f" {
			return c.usage(1, "an input delimiter may be specified only when operating on fields")
		}
		if len(d) != 1 {
			return c.usage(1, "the delimiter must be a single character")
		}
		delim = d[0]
	}
	outDelim, hasOut := o.val("output")
	if !hasOut {
		outDelim = string(delim)
		if mode != "f" {
			outDelim = ""
		}
	}
	end := byte('\n')
	if o.has("z") {
		end = 0
	}
	selected := func(i int) bool { // i is 1-based
		in := false
		for _, r := range ranges {
			if i >= r.lo && (r.hi == 0 || i <= r.hi) {
				in = true
				break
			}
		}
		return in != o.has("complement")
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, name := range names {
		r, err := c.open(name)
		if err != nil {
			c.errorf("%s: %s", name, errText(err))
			continue
		}
		lr := newLineReader(r)
		lr.delim = end
		for !c.stopped() {
			line, _, err := lr.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				c.errorf("%s: %s", name, errText(err))
				break
			}
			if mode == "f" {
				if bytes.IndexByte(line, delim) < 0 {
					if !o.has("s") {
						c.out.Write(line)
						c.out.WriteByte(end)
					}
					continue
				}
				first := true
				for i, f := range bytes.Split(line, []byte{delim}) {
					if selected(i + 1) {
						if !first {
							c.out.WriteString(outDelim)
						}
						c.out.Write(f)
						first = false
					}
				}
			} else {
				// --output-delimiter goes between runs of selected bytes.
				prevSel, seen := false, false
				for i, b := range line {
					sel := selected(i + 1)
					if sel {
						if hasOut && !prevSel && seen {
							c.out.WriteString(outDelim)
						}
						c.out.WriteByte(b)
						seen = true
					}
					prevSel = sel
				}
			}
			c.out.WriteByte(end)
		}
		r.Close()
	}
	return c.finish()
}

// parseCutList reads LIST: N, N-M, N-, -M, comma-separated; fields says
// whether it counts fields (for the messages).
func parseCutList(list string, fields bool) ([]cutRange, error) {
	what, whats := "byte/character position", "byte/character positions"
	if fields {
		what, whats = "field value", "fields"
	}
	var out []cutRange
	for _, item := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		var r cutRange
		var err error
		switch {
		case !isRange:
			r.lo, err = strconv.Atoi(item)
			r.hi = r.lo
		case lo == "" && hi == "":
			return nil, cutListError("invalid range with no endpoint: -")
		default:
			r.lo = 1
			if lo != "" {
				r.lo, err = strconv.Atoi(lo)
			}
			if err == nil && hi != "" {
				r.hi, err = strconv.Atoi(hi)
			}
		}
		if err != nil {
			return nil, cutListError("invalid " + what + " " + quote(item))
		}
		if r.lo == 0 || isRange && hi != "" && r.hi == 0 {
			return nil, cutListError(whats + " are numbered from 1")
		}
		if r.hi != 0 && r.hi < r.lo {
			return nil, cutListError("invalid decreasing range")
		}
		out = append(out, r)
	}
	return out, nil
}

// cutListError is a bad LIST.
type cutListError string

func (e cutListError) Error() string { return string(e) }
