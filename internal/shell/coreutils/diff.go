package coreutils

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

func init() { register(diff, "diff") }

var diffSpec = optSpec{
	short: "uU:qrNaiwbsC:c",
	long: map[string]string{
		"unified=?": "u", "brief": "q", "recursive": "r", "new-file": "N", "text": "a",
		"ignore-case": "i", "ignore-all-space": "w", "ignore-space-change": "b",
		"report-identical-files": "s", "label=": "label", "color=?": "color", "no-dereference": "no-deref",
	},
	usageCode: 2,
}

// maxDiffBytes is the largest file diff holds (it compares in memory).
const maxDiffBytes = 64 << 20

// differ holds one diff run's settings.
type differ struct {
	*call
	o       *opts
	context int
	unified bool
	header  string // "diff -ru" for recursive file headers
	labels  []string
}

// diff compares files (or, with -r, directory trees) line by line and
// prints the differences in normal or unified (-u, -U N) format; -q only
// says whether they differ. Status 0 when equal, 1 when different, 2 on
// trouble.
func diff(c *call) int {
	c.prefixTry = true
	// "-u0" is -u with zero lines of context (obsolete -NUM).
	args := make([]string, 0, len(c.Args))
	for _, a := range c.Args[1:] {
		if len(a) > 2 && a[:2] == "-u" && strings.Trim(a[2:], "0123456789") == "" {
			args = append(args, "-U", a[2:])
			continue
		}
		args = append(args, a)
	}
	o, code := c.parseArgs(diffSpec, args)
	if o == nil {
		return code
	}
	d := &differ{call: c, o: o, context: 3, labels: o.vals("label")}
	for _, x := range o.list {
		switch x.key {
		case "u":
			d.unified = true
			if x.val != "" {
				n, err := strconv.Atoi(x.val)
				if err != nil || n < 0 {
					return c.usage(2, "invalid context length %s", quote(x.val))
				}
				d.context = n
			}
		case "U":
			d.unified = true
			n, err := strconv.Atoi(x.val)
			if err != nil || n < 0 {
				return c.usage(2, "invalid context length %s", quote(x.val))
			}
			d.context = n
		case "c", "C":
			c.errorf("the context format (-c) is not supported; use -u")
			return 2
		}
	}
	var flags []string
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
		}
	}
	d.header = strings.Join(append([]string{"diff"}, flags...), " ")
	switch n := len(o.operands); {
	case n < 2:
		return c.usage(2, "missing operand after %s", quote(c.Args[len(c.Args)-1]))
	case n > 2:
		return c.usage(2, "extra operand %s", quote(o.operands[2]))
	}
	a, b := o.operands[0], o.operands[1]
	if a != "-" && b != "-" && c.isDir(a) != c.isDir(b) {
		if c.isDir(a) {
			a = join(a, baseName(b))
		} else {
			b = join(b, baseName(a))
		}
	}
	status := d.compare(a, b, true)
	if c.ctx.Err() != nil {
		return c.finish()
	}
	c.out.Flush()
	if c.status != 0 {
		return 2
	}
	return status
}

// compare compares two paths; it returns 0, 1, or 2 (reported).
func (d *differ) compare(a, b string, top bool) int {
	if d.stopped() {
		return 2
	}
	stA, errA := d.statDiff(a)
	stB, errB := d.statDiff(b)
	if d.o.has("N") {
		if errno(errA) == enoent && errB == nil {
			errA = nil
			stA = fs.FileMode(0)
		}
		if errno(errB) == enoent && errA == nil {
			errB = nil
			stB = fs.FileMode(0)
		}
	}
	for _, e := range []struct {
		name string
		err  error
	}{{a, errA}, {b, errB}} {
		if e.err != nil {
			d.errorf("%s: %s", e.name, errText(e.err))
			return 2
		}
	}
	switch {
	case stA.IsDir() && stB.IsDir():
		if !top && !d.o.has("r") {
			d.out.WriteString("Common subdirectories: " + a + " and " + b + "\n")
			return 0
		}
		return d.compareDirs(a, b)
	case stA.IsDir() || stB.IsDir():
		kind := func(m fs.FileMode, n string) string {
			if m.IsDir() {
				return "directory"
			}
			if m == 0 && !d.exists(n) {
				return "regular empty file"
			}
			return "regular file"
		}
		d.out.WriteString(fmt.Sprintf("File %s is a %s while file %s is a %s\n", a, kind(stA, a), b, kind(stB, b)))
		return 1
	}
	return d.compareFiles(a, b, top)
}

// statDiff stats an operand ("-" is a regular file).
func (d *differ) statDiff(p string) (fs.FileMode, error) {
	if p == "-" {
		return 0, nil
	}
	st, err := d.stat(p)
	return st.Mode, err
}

// compareDirs compares two directories' entries, in name order.
func (d *differ) compareDirs(a, b string) int {
	entsA, err := d.readDir(a)
	if err != nil {
		d.errorf("%s: %s", a, errText(err))
		return 2
	}
	entsB, err := d.readDir(b)
	if err != nil {
		d.errorf("%s: %s", b, errText(err))
		return 2
	}
	inA, inB := map[string]bool{}, map[string]bool{}
	var names []string
	for _, n := range sortedNames(entsA) {
		inA[n] = true
		names = append(names, n)
	}
	for _, n := range sortedNames(entsB) {
		inB[n] = true
		if !inA[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	status := 0
	for _, n := range names {
		var s int
		switch {
		case inA[n] && inB[n], d.o.has("N"):
			s = d.compare(join(a, n), join(b, n), false)
		case inA[n]:
			d.out.WriteString("Only in " + a + ": " + n + "\n")
			s = 1
		default:
			d.out.WriteString("Only in " + b + ": " + n + "\n")
			s = 1
		}
		status = max(status, s)
	}
	return status
}

// diffFile is one side of a comparison.
type diffFile struct {
	name   string
	lines  []string
	noEOL  bool // the last line lacks its newline
	mtime  time.Time
	binary bool
	data   []byte
}

// load reads a file (absent with -N: empty).
func (d *differ) load(name string) (*diffFile, error) {
	f := &diffFile{name: name, mtime: d.now()}
	if name != "-" {
		st, err := d.stat(name)
		if err != nil {
			if d.o.has("N") && errno(err) == enoent {
				f.mtime = time.Unix(0, 0)
				return f, nil
			}
			return nil, err
		}
		f.mtime = time.Unix(0, st.Mtim)
	}
	r, err := d.open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxDiffBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDiffBytes {
		return nil, fmt.Errorf("file over %d MiB: diff holds its files in memory", maxDiffBytes>>20)
	}
	f.data = data
	f.binary = !d.o.has("a") && bytes.IndexByte(data[:min(len(data), 32<<10)], 0) >= 0
	if len(data) > 0 {
		f.noEOL = data[len(data)-1] != '\n'
		f.lines = strings.SplitAfter(string(data), "\n")
		if f.lines[len(f.lines)-1] == "" {
			f.lines = f.lines[:len(f.lines)-1]
		}
	}
	return f, nil
}

// compareFiles diffs two regular files.
func (d *differ) compareFiles(a, b string, top bool) int {
	fa, err := d.load(a)
	if err != nil {
		d.errorf("%s: %s", a, errText(err))
		return 2
	}
	fb, err := d.load(b)
	if err != nil {
		d.errorf("%s: %s", b, errText(err))
		return 2
	}
	if bytes.Equal(fa.data, fb.data) {
		if d.o.has("s") {
			d.out.WriteString("Files " + a + " and " + b + " are identical\n")
		}
		return 0
	}
	if fa.binary || fb.binary {
		d.out.WriteString("Binary files " + a + " and " + b + " differ\n")
		return 1
	}
	keyA, keyB := d.keys(fa), d.keys(fb)
	ops := diffLines(keyA, keyB)
	changed := false
	for _, op := range ops {
		if op.kind != '=' {
			changed = true
			break
		}
	}
	if !changed {
		return 0
	}
	if d.o.has("q") {
		d.out.WriteString("Files " + a + " and " + b + " differ\n")
		return 1
	}
	if !top {
		d.out.WriteString(d.header + " " + a + " " + b + "\n")
	}
	if d.unified {
		d.printUnified(fa, fb, ops)
	} else {
		d.printNormal(fa, fb, ops)
	}
	return 1
}

// keys returns a file's lines as compared: with -i -w -b applied, and a
// last line without its newline unequal to the same text with one.
func (d *differ) keys(f *diffFile) []string {
	out := make([]string, len(f.lines))
	for i, l := range f.lines {
		k := strings.TrimSuffix(l, "\n")
		if d.o.has("i") {
			k = strings.ToLower(k)
		}
		switch {
		case d.o.has("w"):
			k = strings.Join(strings.Fields(k), "")
		case d.o.has("b"):
			k = collapseSpace(k)
		}
		if i == len(f.lines)-1 && f.noEOL {
			k += "\x00no newline"
		}
		out[i] = k
	}
	return out
}

// collapseSpace makes runs of blanks one space and drops trailing ones
// (diff -b).
func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// printUnified prints unified hunks.
func (d *differ) printUnified(fa, fb *diffFile, ops []diffOp) {
	la, lb := fa.name, fb.name
	if len(d.labels) > 0 {
		la = d.labels[0]
	}
	if len(d.labels) > 1 {
		lb = d.labels[1]
	}
	stamp := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000000000 -0700") }
	if len(d.labels) > 0 {
		fmt.Fprintf(d.out, "--- %s\n", la)
	} else {
		fmt.Fprintf(d.out, "--- %s\t%s\n", la, stamp(fa.mtime))
	}
	if len(d.labels) > 1 {
		fmt.Fprintf(d.out, "+++ %s\n", lb)
	} else {
		fmt.Fprintf(d.out, "+++ %s\t%s\n", lb, stamp(fb.mtime))
	}
	for _, h := range hunks(ops, d.context) {
		seg := ops[h[0]:h[1]]
		startA, startB, countA, countB := -1, -1, 0, 0
		for _, op := range seg {
			if op.kind != '+' {
				if startA < 0 {
					startA = op.i
				}
				countA++
			}
			if op.kind != '-' {
				if startB < 0 {
					startB = op.j
				}
				countB++
			}
		}
		if startA < 0 {
			startA = seg[0].i
		}
		if startB < 0 {
			startB = seg[0].j
		}
		fmt.Fprintf(d.out, "@@ -%s +%s @@\n", unifiedRange(startA, countA), unifiedRange(startB, countB))
		for _, op := range seg {
			switch op.kind {
			case '=':
				d.diffLine(" ", fa, op.i)
			case '-':
				d.diffLine("-", fa, op.i)
			case '+':
				d.diffLine("+", fb, op.j)
			}
		}
	}
}

// unifiedRange renders a hunk range: "start,count", "start" for one line,
// "start-1,0" for none.
func unifiedRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return strconv.Itoa(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}

// diffLine prints one line with its prefix and, for a last line without
// a newline, GNU's marker.
func (d *differ) diffLine(prefix string, f *diffFile, i int) {
	line := f.lines[i]
	d.out.WriteString(prefix + strings.TrimSuffix(line, "\n") + "\n")
	if i == len(f.lines)-1 && f.noEOL {
		d.out.WriteString("\\ No newline at end of file\n")
	}
}

// hunks groups an edit script into [start, end) op ranges with context
// lines around changes, merging hunks whose context touches.
func hunks(ops []diffOp, context int) [][2]int {
	var out [][2]int
	for i := 0; i < len(ops); {
		if ops[i].kind == '=' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != '=' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == '=' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		if len(out) > 0 && start <= out[len(out)-1][1] {
			out[len(out)-1][1] = end
		} else {
			out = append(out, [2]int{start, end})
		}
		i = end
	}
	return out
}

// printNormal prints the classic "2c2 / < old / --- / > new" format.
func (d *differ) printNormal(fa, fb *diffFile, ops []diffOp) {
	for i := 0; i < len(ops); {
		if ops[i].kind == '=' {
			i++
			continue
		}
		j := i
		var dels, adds []diffOp
		for j < len(ops) && ops[j].kind != '=' {
			if ops[j].kind == '-' {
				dels = append(dels, ops[j])
			} else {
				adds = append(adds, ops[j])
			}
			j++
		}
		rng := func(first, n int) string {
			if n <= 1 {
				return strconv.Itoa(first + 1)
			}
			return fmt.Sprintf("%d,%d", first+1, first+n)
		}
		switch {
		case len(adds) == 0:
			fmt.Fprintf(d.out, "%sd%d\n", rng(dels[0].i, len(dels)), dels[0].j)
		case len(dels) == 0:
			fmt.Fprintf(d.out, "%da%s\n", adds[0].i, rng(adds[0].j, len(adds)))
		default:
			fmt.Fprintf(d.out, "%sc%s\n", rng(dels[0].i, len(dels)), rng(adds[0].j, len(adds)))
		}
		for _, op := range dels {
			d.diffLine("< ", fa, op.i)
		}
		if len(dels) > 0 && len(adds) > 0 {
			d.out.WriteString("---\n")
		}
		for _, op := range adds {
			d.diffLine("> ", fb, op.j)
		}
		i = j
	}
}
