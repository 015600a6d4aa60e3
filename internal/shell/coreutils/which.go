package coreutils

import (
	"context"
	"strings"
)

func init() { register(which, "which") }

var whichSpec = optSpec{short: "a"}

// which prints where each command would be found: an executable file on
// $PATH, or /usr/bin/NAME for a command the shell provides without a file.
// Status 1 when one is not found, as Debian's which.
func which(ctx context.Context, env *Env, argv []string) int {
	c := newCall(ctx, env, argv)
	o, code := c.parseOpts(whichSpec, argv)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		c.status = 1
	}
	for _, name := range o.operands {
		found := c.which(name, o.has("a"))
		for _, p := range found {
			c.out.WriteString(p + "\n")
		}
		if len(found) == 0 {
			c.status = 1
		}
	}
	return c.finish()
}

// which finds name as the shell would: paths with a slash as given, else
// each $PATH directory, then the commands the shell provides.
func (c *call) which(name string, all bool) []string {
	if strings.Contains(name, "/") {
		if c.isExecutable(name) {
			return []string{name}
		}
		return nil
	}
	var found []string
	builtin := false
	if c.Known != nil {
		builtin = c.Known(name)
	} else {
		_, builtin = Lookup(name)
	}
	for _, dir := range strings.Split(c.Getenv("PATH"), ":") {
		if dir == "" {
			dir = "."
		}
		p := join(dir, name)
		if c.isExecutable(p) || builtin && dir == "/usr/bin" {
			found = append(found, p)
			if !all {
				return found
			}
		}
	}
	if builtin && len(found) == 0 {
		found = append(found, "/usr/bin/"+name)
	}
	return found
}

// isExecutable reports whether p is a regular file with an execute bit.
func (c *call) isExecutable(p string) bool {
	st, err := c.stat(p)
	return err == nil && st.Mode.IsRegular() && st.Mode&0o111 != 0
}
