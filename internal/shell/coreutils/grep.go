package coreutils

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
)

func init() { register(grep, "grep", "egrep", "fgrep") }

var grepSpec = optSpec{
	short: "EFGPvinrRqsclLohHwxe:f:A:B:C:m:aIzZyU",
	long: map[string]string{
		"extended-regexp": "E", "fixed-strings": "F", "basic-regexp": "G", "perl-regexp": "P",
		"invert-match": "v", "ignore-case": "i", "line-number": "n", "recursive": "r",
		"dereference-recursive": "R", "quiet": "q", "silent": "q", "no-messages": "s", "count": "c",
		"files-with-matches": "l", "files-without-match": "L", "only-matching": "o",
		"no-filename": "h", "with-filename": "H", "word-regexp": "w", "line-regexp": "x",
		"regexp=": "e", "file=": "f", "after-context=": "A", "before-context=": "B", "context=": "C",
		"max-count=": "m", "text": "a", "include=": "include", "exclude=": "exclude",
		"exclude-dir=": "exclude-dir", "color=?": "color", "colour=?": "color", "null": "Z",
		"null-data": "z", "no-ignore-case": "no-ignore-case", "binary-files=": "binary-files",
		"label=": "label",
	},
	usageCode: 2,
	usageLine: "Usage: grep [OPTION]... PATTERNS [FILE]...",
}

// grepper holds one grep run's settings and state.
type grepper struct {
	*call
	o              *opts
	re             *regexp.Regexp
	matchAll       bool // an empty pattern
	invert, count  bool
	listMatch      bool // -l
	listMiss       bool // -L
	only, quiet    bool
	lineNum, names bool
	word, line     bool
	after, before  int
	maxCount       int64
	delim          byte
	matched        bool
	errors         bool
	loops          *dirLoop // with -R
}

// grep prints lines matching patterns (BRE, -E ERE, -F fixed strings,
// -P Go's Perl-like syntax). Status 0 when a line is selected, 1 when none, 2 on
// an error (0 with -q when a line is selected).
func grep(c *call) int {
	o, code := c.parseOpts(grepSpec)
	if o == nil {
		return code
	}
	g := &grepper{call: c, o: o, delim: '\n', maxCount: -1}
	switch c.name {
	case "egrep":
		o.list = append([]opt{{key: "E"}}, o.list...)
	case "fgrep":
		o.list = append([]opt{{key: "F"}}, o.list...)
	}
	g.invert, g.count, g.listMatch, g.listMiss = o.has("v"), o.has("c"), o.has("l"), o.has("L")
	g.only, g.quiet, g.lineNum = o.has("o"), o.has("q"), o.has("n")
	g.word, g.line = o.has("w"), o.has("x")
	if o.has("z") {
		g.delim = 0
	}
	for _, k := range []string{"A", "B", "C", "m"} {
		v, ok := o.val(k)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 && k != "m" {
			what := map[string]string{"A": "context length", "B": "context length", "C": "context length", "m": "max count"}[k]
			c.errorf("%s: invalid %s argument", v, what)
			return 2
		}
		switch k {
		case "A":
			g.after = int(n)
		case "B":
			g.before = int(n)
		case "C":
			g.after, g.before = int(n), int(n)
		case "m":
			g.maxCount = n
		}
	}
	patterns, operands, ok := g.patterns()
	if !ok {
		return c.finish()
	}
	if err := g.compile(patterns); err != nil {
		c.errorf("%s", err)
		c.status = 2
		return c.finish()
	}
	recursive := o.has("r") || o.has("R")
	defaultDir := false
	if len(operands) == 0 {
		if recursive {
			operands, defaultDir = []string{"."}, true
		} else {
			operands = []string{"-"}
		}
	}
	g.names = g.names || len(operands) > 1 || recursive
	if o.has("H") {
		g.names = true
	}
	if o.has("h") {
		g.names = false
	}
	for _, name := range operands {
		if c.stopped() || g.quiet && g.matched {
			break
		}
		shown := name
		if defaultDir {
			shown = "" // grep -r PATTERN names files without "./"
		}
		g.searchPath(name, shown, true)
	}
	status := c.finish()
	switch {
	case status == exitCanceled:
		return status
	case g.quiet && g.matched:
		return 0
	case g.errors || status != 0:
		return 2
	case g.matched:
		return 0
	}
	return 1
}

// patterns collects -e and -f patterns, or the first operand.
func (g *grepper) patterns() ([]string, []string, bool) {
	var pats []string
	given := false
	for _, x := range g.o.list {
		switch x.key {
		case "e":
			pats = append(pats, strings.Split(x.val, "\n")...)
			given = true
		case "f":
			given = true
			r, err := g.open(x.val)
			if err != nil {
				g.errorf("%s: %s", x.val, errText(err))
				g.status = 2
				return nil, nil, false
			}
			err = g.eachLine(r, '\n', func(line []byte, _ bool) error {
				pats = append(pats, string(line))
				return nil
			})
			r.Close()
			if err != nil {
				g.errorf("%s: %s", x.val, errText(err))
				g.status = 2
				return nil, nil, false
			}
		}
	}
	operands := g.o.operands
	if !given {
		if len(operands) == 0 {
			g.out.Flush()
			fmt.Fprintln(g.Stderr, grepSpec.usageLine)
			g.status = g.tryHelp(2)
			return nil, nil, false
		}
		pats, operands = strings.Split(operands[0], "\n"), operands[1:]
	}
	return pats, operands, true
}

// compile builds one regexp matching any of the patterns.
func (g *grepper) compile(pats []string) error {
	if len(pats) == 0 {
		g.re = regexp.MustCompile(`$.^`) // -f of an empty file matches nothing
		return nil
	}
	var alts []string
	for _, p := range pats {
		var t string
		var err error
		switch {
		case g.o.has("F"):
			t = regexp.QuoteMeta(p)
		case g.o.has("P"):
			t = p // Go's syntax is Perl's, less look-around and back-references
		default:
			t, err = translateRegex(p, g.o.has("E"))
			if err != nil {
				return err
			}
		}
		if p == "" && !g.line && !g.word {
			g.matchAll = true
		}
		alts = append(alts, "(?:"+t+")")
	}
	expr := strings.Join(alts, "|")
	if g.line {
		expr = "^(?:" + expr + ")$"
	}
	if (g.o.has("i") || g.o.has("y")) && !g.o.has("no-ignore-case") {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return regexError(err)
	}
	re.Longest()
	g.re = re
	return nil
}

// searchPath searches a file operand or, with -r, a directory tree.
func (g *grepper) searchPath(name, shown string, operand bool) {
	if g.stopped() || g.quiet && g.matched {
		return
	}
	if name == "-" {
		label, _ := g.o.val("label")
		if label == "" {
			label = "(standard input)"
		}
		g.searchReader(ctxReader{g.call, g.Stdin}, label)
		return
	}
	recursive := g.o.has("r") || g.o.has("R")
	st, err := g.lstat(name)
	if err == nil && st.Mode&fs.ModeSymlink != 0 {
		if !operand && !g.o.has("R") {
			return // -r does not follow links below its operands
		}
		st, err = g.stat(name)
	}
	if err != nil {
		g.fileError(name, err)
		return
	}
	if st.Mode.IsDir() {
		if !recursive {
			g.fileError(name, errOf(eisdir))
			return
		}
		if !operand && g.excluded(name, "exclude-dir") {
			return
		}
		if g.o.has("R") {
			if g.loops == nil {
				g.loops = newDirLoop(g.call)
			}
			if _, ok := g.loops.enter(name); !ok {
				g.warnf("%s: warning: recursive directory loop", name)
				return
			}
			defer g.loops.leave(name)
		}
		ents, err := g.readDir(name)
		if err != nil {
			g.fileError(name, err)
			return
		}
		for _, e := range sortedNames(ents) {
			g.searchPath(join(name, e), joinShown(shown, e), false)
		}
		return
	}
	if !operand || recursive {
		if g.excluded(name, "exclude") || g.hasInclude() && !g.excluded(name, "include") {
			return
		}
	}
	r, err := g.open(name)
	if err != nil {
		g.fileError(name, err)
		return
	}
	defer r.Close()
	if shown == "" {
		shown = name
	}
	g.searchReader(r, shown)
}

// joinShown names a file below a shown directory ("" for "." unnamed).
func joinShown(dir, name string) string {
	if dir == "" {
		return name
	}
	return join(dir, name)
}

// fileError reports a file that cannot be searched (quietly with -s).
func (g *grepper) fileError(name string, err error) {
	g.errors = true
	if !g.o.has("s") {
		g.errorf("%s: %s", name, errText(err))
	}
}

// hasInclude reports whether --include was given.
func (g *grepper) hasInclude() bool { return g.o.has("include") }

// excluded reports whether name's base matches a glob of option key.
func (g *grepper) excluded(name, key string) bool {
	base := baseName(name)
	for _, glob := range g.o.vals(key) {
		if re, err := globRegex(glob, false); err == nil && re.MatchString(base) {
			return true
		}
	}
	return false
}

// grepLine is a line kept for -B context.
type grepLine struct {
	num  int64
	text []byte
}

// searchReader searches one input.
func (g *grepper) searchReader(r io.Reader, name string) {
	br := bufio.NewReaderSize(r, 64<<10)
	binary := false
	if !g.o.has("a") {
		head, _ := br.Peek(32 << 10)
		binary = bytes.IndexByte(head, 0) >= 0 && g.delim != 0
	}
	if v, _ := g.o.val("binary-files"); binary && (v == "without-match" || g.o.has("I")) {
		return
	}
	if v, _ := g.o.val("binary-files"); v == "text" {
		binary = false
	}
	lr := newLineReader(br)
	lr.delim = g.delim
	var (
		num, count   int64
		lastPrinted  int64 = -1
		afterLeft    int
		beforeBuf    []grepLine
		contextGiven = g.after > 0 || g.before > 0
		printing     = !g.count && !g.listMatch && !g.listMiss && !g.quiet
	)
	for !g.stopped() {
		line, _, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			g.fileError(name, err)
			break
		}
		num++
		selected := g.matches(line) != g.invert
		if !selected {
			if afterLeft > 0 && printing && !binary {
				g.printLine(name, num, line, '-')
				lastPrinted = num
				afterLeft--
			} else if g.before > 0 {
				beforeBuf = append(beforeBuf, grepLine{num, bytes.Clone(line)})
				if len(beforeBuf) > g.before {
					beforeBuf = beforeBuf[1:]
				}
			}
			continue
		}
		count++
		g.matched = true
		if g.quiet || g.listMatch || g.listMiss {
			break
		}
		if printing && binary {
			g.out.Flush()
			fmt.Fprintf(g.Stderr, "grep: %s: binary file matches\n", name)
			return
		}
		if printing {
			if contextGiven && lastPrinted >= 0 && num-int64(len(beforeBuf)) > lastPrinted+1 {
				g.out.WriteString("--\n")
			}
			for _, b := range beforeBuf {
				g.printLine(name, b.num, b.text, '-')
			}
			beforeBuf = beforeBuf[:0]
			if g.only && !g.invert {
				for _, m := range g.re.FindAllIndex(line, -1) {
					if m[1] > m[0] && (!g.word || g.isWordAt(line, m)) {
						g.printLine(name, num, line[m[0]:m[1]], ':')
					}
				}
			} else {
				g.printLine(name, num, line, ':')
			}
			lastPrinted = num
			afterLeft = g.after
		}
		if g.maxCount >= 0 && count >= g.maxCount {
			// GNU still prints the trailing context of the last match.
			for afterLeft > 0 && printing && !g.stopped() {
				line, _, err := lr.next()
				if err != nil {
					break
				}
				num++
				if g.matches(line) != g.invert {
					break
				}
				g.printLine(name, num, line, '-')
				afterLeft--
			}
			break
		}
	}
	switch {
	case g.count:
		if g.names {
			g.out.WriteString(name + ":")
		}
		fmt.Fprintf(g.out, "%d\n", count)
	case g.listMatch && count > 0, g.listMiss && count == 0:
		end := "\n"
		if g.o.has("Z") {
			end = "\x00"
		}
		g.out.WriteString(name + end)
	}
}

// matches reports whether a line has a match (whole word with -w).
func (g *grepper) matches(line []byte) bool {
	if g.matchAll {
		return true
	}
	if !g.word {
		return g.re.Match(line)
	}
	for _, m := range g.re.FindAllIndex(line, -1) {
		if g.isWordAt(line, m) {
			return true
		}
	}
	return false
}

// isWordAt reports whether match m of line stands as a whole word.
func (g *grepper) isWordAt(line []byte, m []int) bool {
	return (m[0] == 0 || !isWordByte(line[m[0]-1])) && (m[1] == len(line) || !isWordByte(line[m[1]]))
}

// isWordByte is a word constituent: a letter, digit or underscore.
func isWordByte(b byte) bool { return isAlpha(b) || isDigit(b) || b == '_' || b >= 0x80 }

// printLine prints a selected (':') or context ('-') line.
func (g *grepper) printLine(name string, num int64, line []byte, sep byte) {
	if g.names {
		g.out.WriteString(name)
		if g.o.has("Z") {
			g.out.WriteByte(0)
		} else {
			g.out.WriteByte(sep)
		}
	}
	if g.lineNum {
		g.out.WriteString(strconv.FormatInt(num, 10))
		g.out.WriteByte(sep)
	}
	g.out.Write(line)
	g.out.WriteByte(g.delim)
}
