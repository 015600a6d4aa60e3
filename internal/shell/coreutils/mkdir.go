package coreutils

import (
	"path"
	"strconv"
	"strings"
)

func init() {
	register(mkdir, "mkdir")
	register(rmdir, "rmdir")
}

var mkdirSpec = optSpec{
	short: "pm:v",
	long:  map[string]string{"parents": "p", "mode=": "m", "verbose": "v"},
}

// mkdir makes directories; -p makes parents and accepts existing ones.
func mkdir(c *call) int {
	o, code := c.parseOpts(mkdirSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	perm := uint32(0o777 &^ umask)
	if m, ok := o.val("m"); ok {
		p, err := parseMode(m, 0o777, true)
		if err != nil {
			c.errorf("invalid mode %s", quote(m))
			return c.finish()
		}
		perm = p
	}
	for _, d := range o.operands {
		if c.stopped() {
			break
		}
		if o.has("p") {
			if p, err := c.mkdirParents(d, o.has("v")); err != nil {
				c.errorf("cannot create directory %s: %s", quote(p), errText(err))
				continue
			}
		}
		err := c.mkdir(d, goPerm(perm))
		if err != nil && o.has("p") && errno(err) == eexist && c.isDir(d) {
			continue
		}
		if err != nil {
			c.errorf("cannot create directory %s: %s", quote(d), errText(err))
			continue
		}
		if _, ok := o.val("m"); ok {
			c.FS.Chmod(c.Path(d), goPerm(perm))
		}
		if o.has("v") {
			c.out.WriteString("mkdir: created directory " + quote(d) + "\n")
		}
	}
	return c.finish()
}

// mkdirParents makes the missing parents of d; it returns the parent it
// could not make and why.
func (c *call) mkdirParents(d string, verbose bool) (string, error) {
	parts := strings.Split(d, "/")
	for i := 1; i < len(parts); i++ {
		p := strings.Join(parts[:i], "/")
		if p == "" || strings.HasSuffix(p, "/") || c.isDir(p) {
			continue
		}
		if c.exists(p) {
			return p, errOf(enotdir)
		}
		if err := c.mkdir(p, 0o755); err != nil {
			return p, err
		}
		if verbose {
			c.out.WriteString("mkdir: created directory " + quote(p) + "\n")
		}
	}
	return "", nil
}

var rmdirSpec = optSpec{
	short: "pv",
	long:  map[string]string{"parents": "p", "verbose": "v", "ignore-fail-on-non-empty": "ignore"},
}

// rmdir removes empty directories; -p removes their emptied parents too.
func rmdir(c *call) int {
	o, code := c.parseOpts(rmdirSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	for _, d := range o.operands {
		for {
			if o.has("v") {
				c.out.WriteString("rmdir: removing directory, " + quote(d) + "\n")
			}
			if err := c.rmdirOne(d); err != nil {
				if !(o.has("ignore") && errno(err) == enotempty) {
					c.errorf("failed to remove %s: %s", quote(d), errText(err))
				}
				break
			}
			if !o.has("p") {
				break
			}
			d = strings.TrimRight(d, "/")
			if !strings.Contains(d, "/") {
				break
			}
			d = path.Dir(d)
			if d == "/" || d == "." {
				break
			}
		}
	}
	return c.finish()
}

// rmdirOne removes one empty directory, with Linux's errors.
func (c *call) rmdirOne(d string) error {
	st, err := c.lstat(d)
	if err != nil {
		return err
	}
	if !st.Mode.IsDir() {
		return errOf(enotdir)
	}
	return errOf(c.FS.Rmdir(c.Path(d)))
}

// parseMode reads an octal or symbolic mode (chmod's syntax) and applies
// it to old; dir says whether X applies.
func parseMode(s string, old uint32, dir bool) (uint32, error) {
	if s != "" && strings.Trim(s, "01234567") == "" {
		n, err := strconv.ParseUint(s, 8, 32)
		if err != nil || n > 0o7777 {
			return 0, errBadMode
		}
		return uint32(n), nil
	}
	return applySymbolic(s, old, dir)
}
