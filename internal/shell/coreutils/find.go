package coreutils

import (
	"io/fs"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/sys"
)

func init() { register(find, "find") }

// findNode is one node of a find expression.
type findNode struct {
	op    string // "and", "or", "not", or a primary ("-name", ...)
	kids  []*findNode
	arg   string
	num   int64
	cmp   byte // '+', '-' or 0 for numeric tests
	argv  []string
	multi bool // -exec ... {} +
	// pending holds -exec ... + paths until the batch runs
	pending []string
	// re is the compiled pattern of -name, -path, -regex and friends
	re *regexp.Regexp
}

// findState is one find run.
type findState struct {
	*call
	expr               *findNode
	minDepth, maxDepth int
	follow             bool
	depthFirst         bool
	now                time.Time
	quit               bool
	execs              []*findNode
	loops              *dirLoop // with -L
}

// find walks directory trees and evaluates an expression on each file:
// tests -name -iname -path -ipath -wholename -regex -type -empty -size
// -mtime -mmin -newer -perm -user -group -true -false, actions -print
// -print0 -printf (%p %f %s %m %y %d %P %h) -delete -exec/-execdir ... \;
// and ... {} + -prune -quit, operators ! -not -a -and -o -or ( ), options
// -maxdepth -mindepth -depth, -L/-H/-P. Directories are walked in name
// order.
func find(c *call) int {
	args := c.Args[1:]
	f := &findState{call: c, maxDepth: math.MaxInt, now: c.now()}
	for len(args) > 0 && (args[0] == "-L" || args[0] == "-H" || args[0] == "-P") {
		f.follow = args[0] == "-L"
		args = args[1:]
	}
	var starts []string
	for len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-") && args[0] != "(" && args[0] != "!" {
		starts, args = append(starts, args[0]), args[1:]
	}
	if len(starts) == 0 {
		starts = []string{"."}
	}
	p := &findParser{f: f, args: args}
	expr, err := p.parse()
	if err != nil {
		c.errorf("%s", err)
		return c.finish()
	}
	if !p.hasAction {
		print := &findNode{op: "-print"}
		if expr == nil {
			expr = print
		} else {
			expr = &findNode{op: "and", kids: []*findNode{expr, print}}
		}
	}
	if expr == nil {
		expr = &findNode{op: "-true"}
	}
	f.expr = expr
	for _, s := range starts {
		if c.stopped() || f.quit {
			break
		}
		st, err := c.lstat(s)
		if err == nil && st.Mode&fs.ModeSymlink != 0 && (f.follow || p.followArgs) {
			if fst, ferr := c.stat(s); ferr == nil {
				st = fst
			}
		}
		if err != nil {
			c.errorf("%s: %s", quote(s), errText(err))
			continue
		}
		f.walk(s, st, 0)
	}
	for _, e := range f.execs {
		f.flushExec(e)
	}
	return c.finish()
}

// walk evaluates the expression on p and descends.
func (f *findState) walk(p string, st sys.Stat_t, depth int) {
	if f.stopped() || f.quit {
		return
	}
	pruned := false
	if !f.depthFirst && depth >= f.minDepth {
		f.eval(f.expr, p, st, depth, &pruned)
	}
	if st.Mode.IsDir() && depth < f.maxDepth && !pruned && f.follow {
		if f.loops == nil {
			f.loops = newDirLoop(f.call)
		}
		first, ok := f.loops.enter(p)
		if !ok {
			f.errorf("File system loop detected; %s is part of the same file system loop as %s.", quote(p), quote(first))
			pruned = true
		} else {
			defer f.loops.leave(p)
		}
	}
	if st.Mode.IsDir() && depth < f.maxDepth && !pruned {
		ents, err := f.readDir(p)
		if err != nil {
			f.errorf("%s: %s", quote(p), errText(err))
		}
		for _, name := range sortedNames(ents) {
			child := join(p, name)
			cst, err := f.lstat(child)
			if err == nil && f.follow && cst.Mode&fs.ModeSymlink != 0 {
				if fst, ferr := f.stat(child); ferr == nil {
					cst = fst
				}
			}
			if err != nil {
				f.errorf("%s: %s", quote(child), errText(err))
				continue
			}
			f.walk(child, cst, depth+1)
		}
	}
	if f.depthFirst && depth >= f.minDepth {
		f.eval(f.expr, p, st, depth, &pruned)
	}
}

// eval evaluates a node; prune is set by -prune.
func (f *findState) eval(n *findNode, p string, st sys.Stat_t, depth int, prune *bool) bool {
	switch n.op {
	case "and":
		for _, k := range n.kids {
			if !f.eval(k, p, st, depth, prune) {
				return false
			}
		}
		return true
	case "or":
		for _, k := range n.kids {
			if f.eval(k, p, st, depth, prune) {
				return true
			}
		}
		return false
	case "not":
		return !f.eval(n.kids[0], p, st, depth, prune)
	case "-true":
		return true
	case "-false":
		return false
	case "-name", "-iname":
		return n.re.MatchString(baseName(p))
	case "-path", "-wholename", "-ipath", "-iwholename":
		return n.re.MatchString(p)
	case "-regex", "-iregex":
		loc := n.re.FindStringIndex(p)
		return loc != nil && loc[0] == 0 && loc[1] == len(p)
	case "-type":
		return strings.ContainsRune(n.arg, rune(typeLetter(st.Mode)))
	case "-empty":
		if st.Mode.IsDir() {
			ents, err := f.readDir(p)
			return err == nil && len(ents) == 0
		}
		return st.Mode.IsRegular() && st.Size == 0
	case "-size":
		unit := int64(512)
		switch n.arg {
		case "c":
			unit = 1
		case "w":
			unit = 2
		case "k":
			unit = 1024
		case "M":
			unit = 1 << 20
		case "G":
			unit = 1 << 30
		}
		return compareNum((st.Size+unit-1)/unit, n.num, n.cmp)
	case "-mtime":
		return compareNum(int64(f.now.Sub(time.Unix(0, st.Mtim))/(24*time.Hour)), n.num, n.cmp)
	case "-mmin":
		return compareNum(int64(math.Ceil(f.now.Sub(time.Unix(0, st.Mtim)).Minutes())), n.num, n.cmp)
	case "-newer":
		return st.Mtim > n.num
	case "-perm":
		return f.permMatch(n, st)
	case "-user", "-group":
		return n.arg == userName || n.arg == userID
	case "-print":
		f.out.WriteString(p + "\n")
		return true
	case "-print0":
		f.out.WriteString(p + "\x00")
		return true
	case "-printf":
		f.out.WriteString(f.printf(n.arg, p, st, depth))
		return true
	case "-prune":
		*prune = true
		return true
	case "-quit":
		f.quit = true
		return true
	case "-delete":
		var err error
		if st.Mode.IsDir() {
			err = errOf(f.FS.Rmdir(f.Path(p)))
		} else {
			err = errOf(f.FS.Unlink(f.Path(p)))
		}
		if err != nil {
			f.errorf("cannot delete %s: %s", quote(p), errText(err))
			return false
		}
		return true
	case "-exec", "-execdir":
		return f.exec(n, p)
	}
	return false
}

// compareNum is find's numeric test: +N more than, -N less than, N exactly.
func compareNum(v, n int64, cmp byte) bool {
	switch cmp {
	case '+':
		return v > n
	case '-':
		return v < n
	}
	return v == n
}

// typeLetter is -type's letter for a mode.
func typeLetter(m fs.FileMode) byte {
	switch {
	case m&fs.ModeSymlink != 0:
		return 'l'
	case m.IsDir():
		return 'd'
	case m&fs.ModeNamedPipe != 0:
		return 'p'
	case m&fs.ModeSocket != 0:
		return 's'
	case m&fs.ModeCharDevice != 0:
		return 'c'
	case m&fs.ModeDevice != 0:
		return 'b'
	}
	return 'f'
}

// permMatch is -perm MODE (exactly), -MODE (all bits) or /MODE (any bit).
func (f *findState) permMatch(n *findNode, st sys.Stat_t) bool {
	perm := unixPerm(st.Mode)
	want := uint32(n.num)
	switch n.cmp {
	case '-':
		return perm&want == want
	case '/':
		return want == 0 || perm&want != 0
	}
	return perm == want
}

// printf expands -printf's format for one file.
func (f *findState) printf(format, p string, st sys.Stat_t, depth int) string {
	var b strings.Builder
	format = unescape(format)
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'p':
			b.WriteString(p)
		case 'f':
			b.WriteString(baseName(p))
		case 'h':
			b.WriteString(dirName(p))
		case 'P':
			b.WriteString(strings.TrimPrefix(strings.TrimPrefix(p, f.startOf(p)), "/"))
		case 's':
			b.WriteString(strconv.FormatInt(st.Size, 10))
		case 'm':
			b.WriteString(strconv.FormatUint(uint64(unixPerm(st.Mode)), 8))
		case 'M':
			b.WriteString(modeString(st.Mode))
		case 'y':
			b.WriteByte(typeLetter(st.Mode))
		case 'd':
			b.WriteString(strconv.Itoa(depth))
		case 'u', 'g':
			b.WriteString(userName)
		case 'U', 'G':
			b.WriteString(userID)
		case 'T':
			if i+1 < len(format) {
				i++
				b.WriteString(conversion(format[i], 0, time.Unix(0, st.Mtim).UTC()))
			}
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// startOf returns the starting point p was found under.
func (f *findState) startOf(p string) string {
	for _, s := range f.Args[1:] {
		if p == s || strings.HasPrefix(p, strings.TrimSuffix(s, "/")+"/") {
			return s
		}
	}
	return ""
}

// exec runs -exec's command for p, or queues p for -exec ... +.
func (f *findState) exec(n *findNode, p string) bool {
	if n.multi {
		n.pending = append(n.pending, p)
		if len(n.pending) >= 1000 {
			f.flushExec(n)
		}
		return true
	}
	argv := make([]string, len(n.argv))
	for i, a := range n.argv {
		argv[i] = strings.ReplaceAll(a, "{}", p)
	}
	return f.runFound(n, argv, p) == 0
}

// flushExec runs a -exec ... + batch.
func (f *findState) flushExec(n *findNode) {
	if len(n.pending) == 0 {
		return
	}
	argv := append(append([]string(nil), n.argv[:len(n.argv)-1]...), n.pending...)
	n.pending = nil
	if f.runFound(n, argv, "") != 0 {
		f.status = 1
	}
}

// runFound runs a command for -exec, in the file's directory for
// -execdir.
func (f *findState) runFound(n *findNode, argv []string, p string) int {
	f.out.Flush()
	sub := *f.Invocation
	sub.Args = argv
	sub.Stdin = strings.NewReader("")
	sub.Stdout = f.out
	if n.op == "-execdir" && p != "" {
		sub.Dir = f.Abs(path.Dir(p))
		for i, a := range argv {
			argv[i] = strings.ReplaceAll(a, p, "./"+baseName(p))
		}
	}
	code := f.runCommand(&sub)
	f.out.Flush()
	return code
}
