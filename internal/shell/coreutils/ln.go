package coreutils

import (
	"fmt"
	"strings"
)

func init() { register(ln, "ln") }

var lnSpec = optSpec{
	short: "sfnvTt:r",
	long: map[string]string{
		"symbolic": "s", "force": "f", "no-dereference": "n", "verbose": "v",
		"no-target-directory": "T", "target-directory=": "t", "relative": "r",
	},
}

// ln makes links: ln TARGET [LINK], or ln TARGET... DIR. -s makes symbolic
// links; -f replaces an existing file; -n treats a LINK that is a symbolic
// link to a directory as a file.
func ln(c *call) int {
	o, code := c.parseOpts(lnSpec)
	if o == nil {
		return code
	}
	args := o.operands
	dir, hasDir := o.val("t")
	switch {
	case len(args) == 0:
		return c.usage(1, "missing file operand")
	case hasDir:
	case len(args) == 1:
		dir, hasDir = ".", true
	case o.has("T"):
		if len(args) > 2 {
			return c.usage(1, "extra operand %s", quote(args[2]))
		}
	case len(args) == 2 && !c.isLinkDir(args[1], o.has("n")):
	default:
		dir, hasDir, args = args[len(args)-1], true, args[:len(args)-1]
		if st, err := c.stat(dir); err != nil || !st.Mode.IsDir() {
			if err == nil {
				err = errOf(enotdir)
			}
			c.errorf("target %s: %s", quote(dir), errText(err))
			return c.finish()
		}
	}
	if hasDir {
		for _, t := range args {
			c.link(t, join(dir, baseName(t)), o)
		}
	} else {
		c.link(args[0], args[1], o)
	}
	return c.finish()
}

// isLinkDir reports whether a LINK operand is a directory to link into.
func (c *call) isLinkDir(p string, noDeref bool) bool {
	if noDeref {
		st, err := c.lstat(p)
		return err == nil && st.Mode.IsDir()
	}
	return c.isDir(p)
}

// link makes one link.
func (c *call) link(target, name string, o *opts) {
	if o.has("f") && c.exists(name) {
		if c.Abs(target) == c.Abs(name) && !o.has("s") {
			c.errorf("%s and %s are the same file", quote(target), quote(name))
			return
		}
		st, _ := c.lstat(name)
		if st.Mode.IsDir() {
			c.errorf("%s: cannot overwrite directory", quote(name))
			return
		}
		c.FS.Unlink(c.Path(name))
	}
	if o.has("s") {
		if err := errOf(c.FS.Symlink(target, c.Path(name))); err != nil {
			c.errorf("failed to create symbolic link %s: %s", quote(name), errText(err))
			return
		}
	} else {
		st, err := c.lstat(target)
		if err == nil && st.Mode.IsDir() {
			c.errorf("%s: hard link not allowed for directory", target)
			return
		}
		if err == nil {
			err = errOf(c.FS.Link(c.Path(target), c.Path(name)))
		}
		if err != nil {
			if errno(err) == enoent && !c.exists(target) {
				c.errorf("failed to access %s: %s", quote(target), errText(err))
			} else {
				c.errorf("failed to create hard link %s => %s: %s", quote(name), quote(target), errText(err))
			}
			return
		}
	}
	if o.has("v") {
		arrow := "=>"
		if o.has("s") {
			arrow = "->"
		}
		fmt.Fprintf(c.out, "%s %s %s\n", quote(strings.TrimSuffix(name, "/")), arrow, quote(target))
	}
}
