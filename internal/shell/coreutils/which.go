package coreutils

import (
	"strings"
)

func init() { register(which, "which") }

var whichSpec = optSpec{short: "a"}

// which prints where the shell would find each command (-a: every
// executable of that name on $PATH). Status 1 when one is not found, as
// Debian's which.
func which(c *call) int {
	o, code := c.parseOpts(whichSpec)
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

// which finds name as the shell would: through its LookPath when it has
// one, else a path with a slash as given, or the first $PATH directory
// holding an executable file.
func (c *call) which(name string, all bool) []string {
	if c.LookPath != nil && !all {
		if p, ok := c.LookPath(name); ok {
			return []string{p}
		}
		return nil
	}
	if strings.Contains(name, "/") {
		if c.isExecutable(name) {
			return []string{name}
		}
		return nil
	}
	var found []string
	for _, dir := range strings.Split(c.Getenv("PATH"), ":") {
		if dir == "" {
			dir = "."
		}
		if p := join(dir, name); c.isExecutable(p) {
			found = append(found, p)
			if !all {
				break
			}
		}
	}
	if len(found) == 0 && c.LookPath != nil {
		if p, ok := c.LookPath(name); ok {
			found = append(found, p)
		}
	}
	return found
}

// isExecutable reports whether p is a regular file with an execute bit.
func (c *call) isExecutable(p string) bool {
	st, err := c.stat(p)
	return err == nil && st.Mode.IsRegular() && st.Mode&0o111 != 0
}
