package coreutils

func init() {
	register(readlink, "readlink")
	register(realpath, "realpath")
}

var readlinkSpec = optSpec{
	short: "femnqsvz",
	long: map[string]string{
		"canonicalize": "f", "canonicalize-existing": "e", "canonicalize-missing": "m",
		"no-newline": "n", "quiet": "q", "silent": "s", "verbose": "v", "zero": "z",
	},
}

// readlink prints symbolic links' targets, or with -f, -e or -m the
// canonical path (status 1, quietly, when there is none).
func readlink(c *call) int {
	o, code := c.parseOpts(readlinkSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	end := "\n"
	switch {
	case o.has("z"):
		end = "\x00"
	case o.has("n") && len(o.operands) == 1:
		end = ""
	}
	mode, canon := canonMode(o)
	for _, name := range o.operands {
		var (
			out string
			err error
		)
		if canon {
			out, err = c.canonicalize(name, mode)
		} else {
			out, err = c.readlinkOne(name)
		}
		if err != nil {
			if o.has("v") {
				c.errorf("%s: %s", name, errText(err))
			}
			c.status = 1
			continue
		}
		c.out.WriteString(out + end)
	}
	return c.finish()
}

// readlinkOne reads one link's target; not a link is EINVAL.
func (c *call) readlinkOne(name string) (string, error) {
	target, e := c.FS.Readlink(c.Path(name))
	if e == 0 {
		return target, nil
	}
	if c.exists(name) {
		return "", errOf(einval)
	}
	return "", errOf(e)
}

// canonMode reads -e / -f / -m; canon is false when none is given.
func canonMode(o *opts) (missingOK, bool) {
	switch {
	case o.has("e"):
		return mustExist, true
	case o.has("m"):
		return anyMissing, true
	case o.has("f"):
		return lastMissing, true
	}
	return 0, false
}

var realpathSpec = optSpec{
	short: "emqsz",
	long: map[string]string{
		"canonicalize-existing": "e", "canonicalize-missing": "m", "quiet": "q",
		"strip": "s", "no-symlinks": "s", "zero": "z",
	},
}

// realpath prints canonical paths: all but the last component must exist
// (-e: all, -m: none); -s resolves no links.
func realpath(c *call) int {
	o, code := c.parseOpts(realpathSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing operand")
	}
	end := "\n"
	if o.has("z") {
		end = "\x00"
	}
	mode, canon := canonMode(o)
	if !canon {
		mode = lastMissing
	}
	for _, name := range o.operands {
		var (
			out string
			err error
		)
		if o.has("s") {
			out = c.Abs(name)
			if name == "" {
				err = errOf(enoent)
			}
		} else {
			out, err = c.canonicalize(name, mode)
		}
		if err != nil {
			if !o.has("q") {
				c.errorf("%s: %s", name, errText(err))
			}
			c.status = 1
			continue
		}
		c.out.WriteString(out + end)
	}
	return c.finish()
}
