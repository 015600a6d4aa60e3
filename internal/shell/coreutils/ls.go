package coreutils

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/sys"
)

func init() { register(ls, "ls") }

var lsSpec = optSpec{
	short: "aAlR1dhrtSUFpnogL",
	long: map[string]string{
		"all": "a", "almost-all": "A", "recursive": "R", "directory": "d",
		"human-readable": "h", "reverse": "r", "classify": "F", "numeric-uid-gid": "n",
		"dereference": "L", "color=?": "color", "format=": "format",
	},
	usageCode: 2,
}

// lsEntry is one name ls shows.
type lsEntry struct {
	name   string // as shown
	path   string // to stat and recurse
	st     sys.Stat_t
	target string // a link's target, for -l
}

// ls lists files and directories, one name a line as GNU's ls does when
// its output is not a terminal. -l long format (owner root), -a/-A hidden
// names, -R recursion, -d directories themselves, -h human sizes, -t/-S/-U
// sort orders and -r reversed, -F/-p indicators.
func ls(c *call) int {
	o, code := c.parseOpts(lsSpec)
	if o == nil {
		return code
	}
	if f, ok := o.val("format"); ok && f != "single-column" && f != "long" && f != "verbose" {
		return c.usage(2, "invalid argument %s for '--format'", quote(f))
	}
	if f, _ := o.val("format"); f == "long" || f == "verbose" {
		o.list = append(o.list, opt{key: "l"})
	}
	if o.has("g") || o.has("o") || o.has("n") {
		o.list = append(o.list, opt{key: "l"})
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"."}
	}
	var fileEnts, dirEnts []lsEntry
	for _, n := range names {
		e, err := c.lsOperand(n, o)
		if err != nil {
			c.errorf("cannot access %s: %s", quote(n), errText(err))
			c.status = 2
			continue
		}
		if e.st.Mode.IsDir() && !o.has("d") {
			dirEnts = append(dirEnts, e)
		} else {
			fileEnts = append(fileEnts, e)
		}
	}
	c.sortEntries(fileEnts, o)
	c.sortEntries(dirEnts, o)
	// GNU sizes the operands' columns over all of them, directories too.
	c.printEntries(fileEnts, o, append(append([]lsEntry(nil), fileEnts...), dirEnts...))
	headers := len(names) > 1 || o.has("R")
	for i, d := range dirEnts {
		if i > 0 || len(fileEnts) > 0 {
			c.out.WriteString("\n")
		}
		c.listDir(d.name, d.path, o, headers)
	}
	return c.finish()
}

// lsOperand stats a command-line name: links are followed unless -l, -d
// or -F shows the link itself (and always with -L).
func (c *call) lsOperand(n string, o *opts) (lsEntry, error) {
	e := lsEntry{name: n, path: n}
	st, err := c.lstat(n)
	if err != nil {
		return e, err
	}
	if st.Mode&fs.ModeSymlink != 0 {
		follow := o.has("L") || !(o.has("l") || o.has("d") || o.has("F")) || strings.HasSuffix(n, "/")
		if fst, ferr := c.stat(n); ferr == nil && follow {
			st = fst
		} else if o.has("L") {
			return e, ferr
		} else {
			e.target, _ = c.FS.Readlink(c.Path(n))
		}
	}
	e.st = st
	return e, nil
}

// listDir prints one directory's block, then with -R its subdirectories'.
func (c *call) listDir(name, p string, o *opts, header bool) {
	if c.stopped() {
		return
	}
	if header {
		c.out.WriteString(name + ":\n")
	}
	dirents, err := c.readDir(p)
	if err != nil {
		c.errorf("cannot open directory %s: %s", quote(name), errText(err))
		c.status = 2
		return
	}
	var ents []lsEntry
	if o.has("a") {
		for _, dot := range []string{".", ".."} {
			st, _ := c.stat(join(p, dot))
			ents = append(ents, lsEntry{name: dot, path: join(p, dot), st: st})
		}
	}
	for _, d := range dirents {
		if strings.HasPrefix(d.Name, ".") && !o.has("a") && !o.has("A") {
			continue
		}
		e := lsEntry{name: d.Name, path: join(p, d.Name)}
		st, err := c.lstat(e.path)
		if err != nil {
			c.errorf("cannot access %s: %s", quote(join(name, d.Name)), errText(err))
			c.status = 1
			continue
		}
		if st.Mode&fs.ModeSymlink != 0 {
			if fst, err := c.stat(e.path); o.has("L") && err == nil {
				st = fst
			} else {
				e.target, _ = c.FS.Readlink(c.Path(e.path))
			}
		}
		e.st = st
		ents = append(ents, e)
	}
	c.sortEntries(ents, o)
	if o.has("l") {
		total := int64(0)
		for _, e := range ents {
			total += blocksOf(e.st)
		}
		if o.has("h") {
			c.out.WriteString("total " + humanSize(total*1024) + "\n")
		} else {
			fmt.Fprintf(c.out, "total %d\n", total)
		}
	}
	c.printEntries(ents, o, ents)
	if !o.has("R") {
		return
	}
	for _, e := range ents {
		if e.st.Mode.IsDir() && e.name != "." && e.name != ".." {
			c.out.WriteString("\n")
			c.listDir(join(name, e.name), e.path, o, true)
		}
	}
}

// blocksOf estimates a file's 1 KiB blocks as a 4 KiB-block filesystem
// uses them (the sandbox's has no blocks to report).
func blocksOf(st sys.Stat_t) int64 {
	if st.Mode&fs.ModeSymlink != 0 {
		return 0
	}
	return (st.Size + 4095) / 4096 * 4
}

// sortEntries orders a listing by name (bytes), -t time, -S size, -U none;
// -r reverses.
func (c *call) sortEntries(ents []lsEntry, o *opts) {
	if o.has("U") {
		return
	}
	less := func(a, b lsEntry) bool { return a.name < b.name }
	switch {
	case o.has("t"):
		less = func(a, b lsEntry) bool {
			if a.st.Mtim != b.st.Mtim {
				return a.st.Mtim > b.st.Mtim
			}
			return a.name < b.name
		}
	case o.has("S"):
		less = func(a, b lsEntry) bool {
			if a.st.Size != b.st.Size {
				return a.st.Size > b.st.Size
			}
			return a.name < b.name
		}
	}
	sort.SliceStable(ents, func(i, j int) bool {
		if o.has("r") {
			return less(ents[j], ents[i])
		}
		return less(ents[i], ents[j])
	})
}

// printEntries prints names, or with -l long lines with columns as wide as
// those of sizing's.
func (c *call) printEntries(ents []lsEntry, o *opts, sizing []lsEntry) {
	if !o.has("l") {
		for _, e := range ents {
			c.out.WriteString(e.name + indicator(e.st, o) + "\n")
		}
		return
	}
	var linkW, sizeW int
	for _, e := range sizing {
		linkW = max(linkW, len(strconv.FormatUint(e.st.Nlink, 10)))
		sizeW = max(sizeW, len(c.lsSize(e.st, o)))
	}
	owner, group := userName, userName
	if o.has("n") {
		owner, group = userID, userID
	}
	for _, e := range ents {
		if c.stopped() {
			return
		}
		var b strings.Builder
		b.WriteString(modeString(e.st.Mode))
		fmt.Fprintf(&b, " %*d ", linkW, e.st.Nlink)
		if !o.has("g") {
			b.WriteString(owner + " ")
		}
		if !o.has("o") {
			b.WriteString(group + " ")
		}
		fmt.Fprintf(&b, "%*s %s %s", sizeW, c.lsSize(e.st, o), c.lsTime(e.st.Mtim), e.name)
		if e.st.Mode&fs.ModeSymlink != 0 {
			b.WriteString(" -> " + e.target)
			if st, err := c.stat(e.path); err == nil && o.has("F") {
				b.WriteString(indicator(st, o))
			}
		} else {
			b.WriteString(indicator(e.st, o))
		}
		c.out.WriteString(b.String() + "\n")
	}
}

// lsSize is the size column.
func (c *call) lsSize(st sys.Stat_t, o *opts) string {
	if o.has("h") {
		return humanSize(st.Size)
	}
	return strconv.FormatInt(st.Size, 10)
}

// lsTime is the time column: month, day and time for the last six
// months, month, day and year otherwise.
func (c *call) lsTime(ns int64) string {
	t := time.Unix(0, ns).UTC()
	now := c.now()
	if t.After(now) || now.Sub(t) > 182*24*time.Hour {
		return strftime("%b %e  %Y", t)
	}
	return strftime("%b %e %H:%M", t)
}

// indicator is -F's or -p's mark after a name.
func indicator(st sys.Stat_t, o *opts) string {
	switch {
	case !o.has("F") && !o.has("p"):
		return ""
	case st.Mode.IsDir():
		return "/"
	case !o.has("F"):
		return ""
	case st.Mode&fs.ModeSymlink != 0:
		return "@"
	case st.Mode&fs.ModeNamedPipe != 0:
		return "|"
	case st.Mode&fs.ModeSocket != 0:
		return "="
	case st.Mode&0o111 != 0:
		return "*"
	}
	return ""
}

// modeString renders a mode as ls -l does ("drwxr-xr-x").
func modeString(m fs.FileMode) string {
	t := byte('-')
	switch {
	case m&fs.ModeSymlink != 0:
		t = 'l'
	case m.IsDir():
		t = 'd'
	case m&fs.ModeNamedPipe != 0:
		t = 'p'
	case m&fs.ModeSocket != 0:
		t = 's'
	case m&fs.ModeCharDevice != 0:
		t = 'c'
	case m&fs.ModeDevice != 0:
		t = 'b'
	}
	return string(t) + permString(unixPerm(m))
}

// humanSize renders a size as -h does: 1023, 1.0K, 9.9K, 10K, 1.5M; always
// rounded up.
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10)
	}
	units := "KMGTPE"
	v := float64(n)
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if v < 10 {
		v = ceilTo(v, 10)
		if v < 10 {
			return strconv.FormatFloat(v, 'f', 1, 64) + string(units[u])
		}
	}
	v = ceilTo(v, 1)
	if v >= 1024 && u < len(units)-1 {
		return "1.0" + string(units[u+1])
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + string(units[u])
}

// ceilTo rounds v up to a multiple of 1/scale.
func ceilTo(v float64, scale float64) float64 {
	r := float64(int64(v*scale)) / scale
	if r < v {
		r += 1 / scale
	}
	return r
}
