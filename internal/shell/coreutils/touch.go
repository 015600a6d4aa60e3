package coreutils

import (
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

func init() { register(touch, "touch") }

var touchSpec = optSpec{
	short: "acd:mr:t:fh",
	long: map[string]string{
		"no-create": "c", "date=": "d", "reference=": "r", "no-dereference": "h",
		"time=": "time",
	},
}

// touch sets files' access and modification times (to now, -d DATE,
// -t STAMP or -r FILE's), creating missing ones unless -c.
func touch(c *call) int {
	o, code := c.parseOpts(touchSpec)
	if o == nil {
		return code
	}
	if len(o.operands) == 0 {
		return c.usage(1, "missing file operand")
	}
	when := c.now()
	if d, ok := o.val("d"); ok {
		t, err := parseDate(d, c.now())
		if err != nil {
			c.errorf("invalid date format %s", quote(d))
			return c.finish()
		}
		when = t
	}
	if s, ok := o.val("t"); ok {
		t, err := parseStamp(s, c.now())
		if err != nil {
			c.errorf("invalid date format %s", quote(s))
			return c.finish()
		}
		when = t
	}
	atim, mtim := when.UnixNano(), when.UnixNano()
	if ref, ok := o.val("r"); ok {
		st, err := c.stat(ref)
		if err != nil {
			c.errorf("failed to get attributes of %s: %s", quote(ref), errText(err))
			return c.finish()
		}
		atim, mtim = st.Atim, st.Mtim
	}
	tv, _ := o.val("time")
	if o.has("a") && !o.has("m") || tv == "access" || tv == "atime" || tv == "use" {
		mtim = experimentalsys.UTIME_OMIT
	}
	if o.has("m") && !o.has("a") || tv == "modify" || tv == "mtime" {
		atim = experimentalsys.UTIME_OMIT
	}
	for _, name := range o.operands {
		if name == "-" {
			continue
		}
		if !c.exists(name) {
			if o.has("c") {
				continue
			}
			f, err := c.create(name, true, 0o644&^umask)
			if err != nil {
				c.errorf("cannot touch %s: %s", quote(name), errText(err))
				continue
			}
			f.Close()
		}
		if err := errOf(c.FS.Utimens(c.Path(name), atim, mtim)); err != nil {
			c.errorf("setting times of %s: %s", quote(name), errText(err))
		}
	}
	return c.finish()
}

// parseStamp reads touch -t's [[CC]YY]MMDDhhmm[.ss].
func parseStamp(s string, now time.Time) (time.Time, error) {
	layouts := map[int]string{8: "01021504", 10: "0601021504", 12: "200601021504"}
	main, sec, hasSec := s, "", false
	if i := len(s) - 3; i > 0 && s[i] == '.' {
		main, sec, hasSec = s[:i], s[i+1:], true
	}
	layout, ok := layouts[len(main)]
	if !ok {
		return time.Time{}, errBadDate
	}
	if hasSec {
		main, layout = main+sec, layout+"05"
	}
	t, err := time.ParseInLocation(layout, main, time.UTC)
	if err != nil {
		return time.Time{}, errBadDate
	}
	if len(s) < 10 || len(s) == 11 {
		t = t.AddDate(now.Year()-t.Year(), 0, 0)
	}
	return t, nil
}
