package coreutils

import (
	"fmt"
)

func init() { register(cat, "cat") }

var catSpec = optSpec{
	short: "nbsEuA",
	long: map[string]string{
		"number": "n", "number-nonblank": "b", "squeeze-blank": "s", "show-ends": "E",
	},
}

// cat concatenates files (or standard input) to standard output.
// -n numbers lines, -b numbers non-blank ones, -s squeezes blank runs,
// -E marks line ends with '$'; -u is accepted and ignored.
func cat(c *call) int {
	o, code := c.parseOpts(catSpec)
	if o == nil {
		return code
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	lines := o.has("n") || o.has("b") || o.has("s") || o.has("E")
	num := 0
	prevBlank := false
	for _, name := range names {
		if c.stopped() {
			break
		}
		r, err := c.open(name)
		if err != nil {
			c.errorf("%s: %s", name, errText(err))
			continue
		}
		if !lines {
			err = c.copyOut(r)
		} else {
			err = c.eachLine(r, '\n', func(line []byte, nl bool) error {
				blank := len(line) == 0
				if o.has("s") && blank && prevBlank {
					return nil
				}
				prevBlank = blank
				if o.has("b") && !blank || o.has("n") && !o.has("b") {
					num++
					fmt.Fprintf(c.out, "%6d\t", num)
				}
				c.out.Write(line)
				if nl {
					if o.has("E") {
						c.out.WriteByte('$')
					}
					c.out.WriteByte('\n')
				}
				return nil
			})
		}
		r.Close()
		if err != nil && c.ctx.Err() == nil {
			c.errorf("%s: %s", name, errText(err))
		}
	}
	return c.finish()
}
