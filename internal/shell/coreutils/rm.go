package coreutils

import (
	"io/fs"
	"path"
	"strings"
)

func init() { register(rm, "rm") }

var rmSpec = optSpec{
	short: "rRfidv",
	long: map[string]string{
		"recursive": "r", "force": "f", "interactive=": "i", "dir": "d", "verbose": "v",
		"no-preserve-root": "no-preserve-root", "preserve-root": "preserve-root",
	},
}

// rm removes files, and with -r directories and what they hold; -f
// ignores missing files. -i is accepted and never asks: there is no one to.
func rm(c *call) int {
	o, code := c.parseOpts(rmSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		if o.has("f") {
			return 0
		}
		return c.usage(1, "missing operand")
	}
	recursive := o.has("r") || o.has("R")
	for _, name := range o.operands {
		if c.stopped() {
			break
		}
		base := baseName(name)
		if base == "." || base == ".." {
			c.errorf("refusing to remove '.' or '..' directory: skipping %s", quote(name))
			continue
		}
		if recursive && c.Abs(name) == "/" && !o.has("no-preserve-root") {
			c.errorf("it is dangerous to operate recursively on %s", quote(name))
			c.errorf("use --no-preserve-root to override this failsafe")
			continue
		}
		c.remove(name, o, recursive)
	}
	return c.finish()
}

// remove removes one name; it reports its own errors.
func (c *call) remove(name string, o *opts, recursive bool) bool {
	if c.stopped() {
		return false
	}
	st, err := c.lstat(name)
	if err != nil {
		if !(o.has("f") && errno(err) == enoent) {
			c.errorf("cannot remove %s: %s", quote(name), errText(err))
		}
		return false
	}
	if st.Mode.IsDir() && st.Mode&fs.ModeSymlink == 0 {
		switch {
		case recursive:
			ents, err := c.readDir(name)
			if err != nil {
				c.errorf("cannot remove %s: %s", quote(name), errText(err))
				return false
			}
			ok := true
			for _, e := range sortedNames(ents) {
				ok = c.remove(join(name, e), o, true) && ok
			}
			if !ok {
				return false
			}
		case !o.has("d"):
			c.errorf("cannot remove %s: %s", quote(name), errText(eisdir))
			return false
		}
		if err := errOf(c.FS.Rmdir(c.Path(name))); err != nil {
			c.errorf("cannot remove %s: %s", quote(name), errText(err))
			return false
		}
		if o.has("v") {
			c.out.WriteString("removed directory " + quote(strings.TrimSuffix(name, "/")) + "\n")
		}
		return true
	}
	if strings.HasSuffix(name, "/") {
		c.errorf("cannot remove %s: %s", quote(name), errText(enotdir))
		return false
	}
	if err := errOf(c.FS.Unlink(c.Path(path.Clean(name)))); err != nil {
		c.errorf("cannot remove %s: %s", quote(name), errText(err))
		return false
	}
	if o.has("v") {
		c.out.WriteString("removed " + quote(name) + "\n")
	}
	return true
}
