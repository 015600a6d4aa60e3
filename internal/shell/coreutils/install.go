package coreutils

import (
	"fmt"
)

func init() { register(install, "install") }

var installSpec = optSpec{
	short: "dDm:o:g:vpsTt:bC",
	long: map[string]string{
		"directory": "d", "mode=": "m", "owner=": "o", "group=": "g", "verbose": "v",
		"preserve-timestamps": "p", "strip": "s", "no-target-directory": "T", "target-directory=": "t",
		"compare": "C",
	},
}

// install copies files and sets their mode (-m, default 0755), or with
// -d makes directories (and their parents); -D makes the destination's
// parents. Owners (-o, -g) are the sandbox's one user; -s strips nothing.
func install(c *call) int {
	o, code := c.parseOpts(installSpec)
	if o == nil {
		return code
	}
	perm := uint32(0o755)
	if m, ok := o.val("m"); ok {
		p, err := parseMode(m, 0, false) // symbolic modes start from nothing, as GNU's
		if err != nil {
			c.errorf("invalid mode %s", quote(m))
			return c.finish()
		}
		perm = p
	}
	if o.has("d") {
		if len(o.operands) == 0 {
			return c.usage(1, "missing file operand")
		}
		for _, d := range o.operands {
			if p, err := c.mkdirParents(d+"/x", o.has("v")); err != nil {
				c.errorf("cannot create directory %s: %s", quote(p), errText(err))
				continue
			}
			if err := errOf(c.FS.Chmod(c.Path(d), goPerm(perm))); err != nil {
				c.errorf("cannot change permissions of %s: %s", quote(d), errText(err))
			}
		}
		return c.finish()
	}
	if o.has("D") && len(o.operands) >= 2 {
		dst := o.operands[len(o.operands)-1]
		target := dst
		if t, ok := o.val("t"); ok {
			target = t + "/x"
		}
		if p, err := c.mkdirParents(target, o.has("v")); err != nil {
			c.errorf("cannot create directory %s: %s", quote(p), errText(err))
			return c.finish()
		}
	}
	srcs, dir, ok := c.targets(o)
	if !ok {
		return c.finish()
	}
	copyOpts := &opts{}
	if o.has("p") {
		copyOpts.list = append(copyOpts.list, opt{key: "p"})
	}
	for _, src := range srcs {
		dst := o.operands[len(o.operands)-1]
		if dir != "" {
			dst = join(dir, baseName(src))
		}
		st, err := c.stat(src)
		if err != nil {
			c.errorf("cannot stat %s: %s", quote(src), errText(err))
			continue
		}
		if st.Mode.IsDir() {
			c.errorf("omitting directory %s", quote(src))
			continue
		}
		if c.isDir(dst) {
			c.errorf("cannot overwrite directory %s with non-directory", quote(dst))
			continue
		}
		c.FS.Unlink(c.Path(dst))
		if !c.copyFile(src, dst, st, copyOpts, false) {
			continue
		}
		if err := errOf(c.FS.Chmod(c.Path(dst), goPerm(perm))); err != nil {
			c.errorf("cannot change permissions of %s: %s", quote(dst), errText(err))
			continue
		}
		if o.has("v") {
			fmt.Fprintf(c.out, "%s -> %s\n", quote(src), quote(dst))
		}
	}
	return c.finish()
}
