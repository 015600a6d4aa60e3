package coreutils

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"
)

func init() { register(sed, "sed") }

var sedSpec = optSpec{
	short: "ne:f:Ersuz",
	long: map[string]string{
		"quiet": "n", "silent": "n", "expression=": "e", "file=": "f", "regexp-extended": "E",
		"separate": "s", "unbuffered": "u", "null-data": "z", "posix": "posix", "in-place=?": "i",
		"debug": "debug", "sandbox": "sandbox",
	},
}

// sedInput is a stream of lines over the input files, one line ahead so
// that $ is known.
type sedInput struct {
	c      *call
	names  []string
	lr     *lineReader
	closer io.Closer
	name   string
	// the line read ahead
	next    []byte
	nextNL  bool
	hasNext bool
	delim   byte
}

// advance reads the line after the current one, opening files as needed.
func (in *sedInput) advance() {
	in.hasNext = false
	for !in.c.stopped() {
		if in.lr == nil {
			if len(in.names) == 0 {
				return
			}
			name := in.names[0]
			in.names = in.names[1:]
			r, err := in.c.open(name)
			if err != nil {
				in.c.errorf("can't read %s: %s", name, errText(err))
				in.c.status = 2
				continue
			}
			in.lr, in.closer, in.name = newLineReader(r), r, name
			in.lr.delim = in.delim
		}
		line, nl, err := in.lr.next()
		if err == nil {
			in.next, in.nextNL, in.hasNext = bytes.Clone(line), nl, true
			return
		}
		if !errors.Is(err, io.EOF) {
			in.c.errorf("read error on %s: %s", in.name, errText(err))
			in.c.status = 2
		}
		in.closer.Close()
		in.lr = nil
	}
}

// sedRun is one run of a script over one input stream.
type sedRun struct {
	*call
	cmds     []*sedCmd
	quiet    bool
	delim    byte
	in       *sedInput
	out      io.Writer
	lineNum  int64
	ps, hs   []byte
	psNL     bool
	appendQ  []string // a text and r files, printed after the cycle
	lastRe   *regexp.Regexp
	tflag    bool
	wfiles   map[string]io.WriteCloser
	quitCode int
	quit     bool
	// noNL says the last line written lacked its newline (input's last
	// line); appended text starts on a line of its own.
	noNL bool
}

// sed is the stream editor: s (flags g p N I w, & \1 \U \L \u \l \E), d D
// p P n N g G h H x y = a i c q Q r w b t T : { } z F, addresses N $ /re/
// first~step addr,+N addr,~N 0,/re/ and !, -n -e -f -E -s -z -i[SUFFIX].
// Patterns are POSIX regexes run by Go's regexp: no back-references in
// patterns (they work in replacements).
func sed(c *call) int {
	args, inPlace, suffix := sedInPlace(c.Args[1:])
	o, code := c.parseArgs(sedSpec, args)
	if o == nil {
		return code
	}
	if v, ok := o.val("i"); ok {
		inPlace, suffix = true, v
	}
	var parts []string
	given := false
	for _, x := range o.list {
		switch x.key {
		case "e":
			parts = append(parts, x.val)
			given = true
		case "f":
			given = true
			r, err := c.open(x.val)
			if err != nil {
				c.errorf("couldn't open file %s: %s", x.val, errText(err))
				return c.finish()
			}
			var b strings.Builder
			_, err = io.Copy(&b, io.LimitReader(r, maxLine))
			r.Close()
			if err != nil {
				c.errorf("couldn't read %s: %s", x.val, errText(err))
				return c.finish()
			}
			parts = append(parts, strings.TrimSuffix(b.String(), "\n"))
		}
	}
	files := o.operands
	if !given {
		if len(files) == 0 {
			c.out.Flush()
			fmt.Fprintln(c.Stderr, "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...")
			return 1
		}
		parts, files = []string{files[0]}, files[1:]
	}
	cmds, err := parseSed(strings.Join(parts, "\n"), o.has("E") || o.has("r"))
	if err != nil {
		c.errorf("%s", err)
		if _, ok := err.(*errLabel); ok {
			c.status = 4
		}
		return c.finish()
	}
	delim := byte('\n')
	if o.has("z") {
		delim = 0
	}
	if len(files) == 0 {
		if inPlace {
			c.errorf("no input files")
			return 4
		}
		files = []string{"-"}
	}
	run := func(names []string, out io.Writer) *sedRun {
		r := &sedRun{call: c, cmds: cmds, quiet: o.has("n"), delim: delim, out: out, wfiles: map[string]io.WriteCloser{}}
		r.in = &sedInput{c: c, names: names, delim: delim}
		r.in.advance()
		r.run()
		for _, w := range r.wfiles {
			w.Close()
		}
		return r
	}
	if !inPlace {
		var r *sedRun
		if o.has("s") {
			for _, f := range files {
				if r = run([]string{f}, c.out); r.quit {
					break
				}
			}
		} else {
			r = run(files, c.out)
		}
		if r != nil && r.quitCode != 0 {
			c.out.Flush()
			return r.quitCode
		}
		return c.finish()
	}
	for _, f := range files {
		if c.stopped() {
			break
		}
		if r, ok := c.sedFile(f, suffix, run); ok && r.quit {
			if r.quitCode != 0 {
				return r.quitCode
			}
			break
		}
	}
	return c.finish()
}

// sedInPlace takes -i and -iSUFFIX out of the arguments (an attached
// suffix is -i's own, which getopt cannot express).
func sedInPlace(args []string) (rest []string, inPlace bool, suffix string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i:]...), inPlace, suffix
		}
		if len(a) > 1 && a[0] == '-' && a[1] != '-' {
			flags := a[1:]
			// -e and -f take the rest of the cluster, or the next argument.
			if k := strings.IndexAny(flags, "ef"); k >= 0 && !strings.Contains(flags[:k], "i") {
				rest = append(rest, a)
				if k == len(flags)-1 && i+1 < len(args) {
					i++
					rest = append(rest, args[i])
				}
				continue
			}
			if k := strings.IndexByte(flags, 'i'); k >= 0 {
				inPlace, suffix = true, flags[k+1:]
				if k > 0 {
					rest = append(rest, "-"+flags[:k])
				}
				continue
			}
		}
		rest = append(rest, a)
	}
	return rest, inPlace, suffix
}

// sedFile edits one file in place: output to a temporary file beside it,
// renamed over it at the end (after a backup copy with -iSUFFIX).
func (c *call) sedFile(name, suffix string, run func([]string, io.Writer) *sedRun) (*sedRun, bool) {
	st, err := c.stat(name)
	if err != nil {
		c.errorf("can't read %s: %s", name, errText(err))
		c.status = 2
		return nil, false
	}
	if !st.Mode.IsRegular() {
		c.errorf("couldn't edit %s: not a regular file", name)
		c.status = 4
		return nil, false
	}
	tmp, f, err := c.tempFile(dirName(name), "sed")
	if err != nil {
		c.errorf("couldn't open temporary file %s: %s", tmp, errText(err))
		c.status = 4
		return nil, false
	}
	w := newOutWriter(f)
	r := run([]string{name}, w)
	w.Flush()
	f.Close()
	if w.err != nil || c.ctx.Err() != nil {
		c.FS.Unlink(c.Path(tmp))
		if w.err != nil {
			c.errorf("couldn't write %s: %s", tmp, errText(w.err))
			c.status = 4
		}
		return r, false
	}
	c.FS.Chmod(c.Path(tmp), st.Mode.Perm())
	if suffix != "" {
		backup := name + suffix
		if strings.Contains(suffix, "*") {
			backup = join(dirName(name), strings.ReplaceAll(suffix, "*", baseName(name)))
		}
		if err := errOf(c.FS.Rename(c.Path(name), c.Path(backup))); err != nil {
			c.errorf("cannot rename %s: %s", name, errText(err))
		}
	}
	if err := errOf(c.FS.Rename(c.Path(tmp), c.Path(name))); err != nil {
		c.errorf("cannot rename %s: %s", tmp, errText(err))
		c.FS.Unlink(c.Path(tmp))
		c.status = 4
	}
	return r, true
}

// run runs the script over every line.
func (r *sedRun) run() {
	for r.in.hasNext && !r.stopped() && !r.quit {
		r.ps, r.psNL = r.in.next, r.in.nextNL
		r.lineNum++
		r.in.advance()
		r.tflag = false
		r.cycle(0)
	}
}

// cycle runs the commands from pc on the pattern space, then ends the
// cycle (autoprint, appended text).
func (r *sedRun) cycle(pc int) {
	for {
		restart, ok := r.exec(pc)
		if !ok {
			return
		}
		if !restart {
			break
		}
		pc = 0
	}
}

// exec runs commands from pc; restart asks for D's new cycle without
// reading input, ok false that the run ends (q, Q, n/N at the end).
func (r *sedRun) exec(pc int) (restart, ok bool) {
	for pc < len(r.cmds) {
		if r.stopped() {
			return false, false
		}
		cmd := r.cmds[pc]
		if !r.selected(cmd) {
			if cmd.name == '{' {
				pc = cmd.target
			} else {
				pc++
			}
			continue
		}
		pc++
		switch cmd.name {
		case '{', '}', ':':
		case '=':
			fmt.Fprintf(r.out, "%d\n", r.lineNum)
		case 'a':
			r.appendQ = append(r.appendQ, cmd.text+"\n")
		case 'i':
			io.WriteString(r.out, cmd.text+"\n")
		case 'c':
			if cmd.a2 == nil || !cmd.active || cmd.neg {
				io.WriteString(r.out, cmd.text+"\n")
			}
			r.endCycle(false)
			return false, true
		case 'd':
			r.endCycle(false)
			return false, true
		case 'D':
			i := bytes.IndexByte(r.ps, '\n')
			if i < 0 {
				r.endCycle(false)
				return false, true
			}
			r.ps = r.ps[i+1:]
			r.flushAppends()
			return true, true
		case 'p':
			r.emit(r.ps, true)
		case 'P':
			line := r.ps
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			r.emit(line, true)
		case 'n':
			if !r.in.hasNext {
				r.endCycle(!r.quiet)
				r.quit = true
				return false, false
			}
			if !r.quiet {
				r.emit(r.ps, r.psNL)
			}
			r.flushAppends()
			r.ps, r.psNL = r.in.next, r.in.nextNL
			r.lineNum++
			r.in.advance()
		case 'N':
			if !r.fits(len(r.ps) + len(r.in.next)) {
				return false, false
			}
			if !r.in.hasNext {
				r.endCycle(!r.quiet)
				r.quit = true
				return false, false
			}
			r.ps = append(append(r.ps, '\n'), r.in.next...)
			r.psNL = r.in.nextNL
			r.lineNum++
			r.in.advance()
		case 'g':
			r.ps = bytes.Clone(r.hs)
		case 'G':
			if !r.fits(len(r.ps) + len(r.hs)) {
				return false, false
			}
			r.ps = append(append(r.ps, '\n'), r.hs...)
		case 'h':
			r.hs = bytes.Clone(r.ps)
		case 'H':
			if !r.fits(len(r.ps) + len(r.hs)) {
				return false, false
			}
			r.hs = append(append(r.hs, '\n'), r.ps...)
		case 'x':
			r.ps, r.hs = r.hs, r.ps
		case 'z':
			r.ps = r.ps[:0]
		case 'F':
			name := r.in.name
			if name == "" {
				name = "-"
			}
			io.WriteString(r.out, name+"\n")
		case 'y':
			for i, b := range r.ps {
				r.ps[i] = cmd.ytab[b]
			}
		case 's':
			if r.subst(cmd) {
				r.tflag = true
			}
		case 'b':
			pc = cmd.target
		case 't':
			if r.tflag {
				r.tflag = false
				pc = cmd.target
			}
		case 'T':
			if !r.tflag {
				pc = cmd.target
			}
			r.tflag = false
		case 'q':
			r.endCycle(!r.quiet)
			r.quit, r.quitCode = true, cmd.code
			return false, false
		case 'Q':
			r.quit, r.quitCode = true, cmd.code
			return false, false
		case 'r':
			r.appendQ = append(r.appendQ, "\x00r"+cmd.text)
		case 'w':
			r.writeTo(cmd.text, r.ps)
		case 'W':
			line := r.ps
			if i := bytes.IndexByte(line, '\n'); i >= 0 {
				line = line[:i]
			}
			r.writeTo(cmd.text, line)
		case 'l', 'L', 'R':
			r.errorf("the `%c' command is not supported", cmd.name)
			r.quit = true
			return false, false
		}
	}
	r.endCycle(!r.quiet)
	return false, true
}

// fits reports whether a pattern or hold space of n bytes stays within
// maxHold; when not, the run ends with an error.
func (r *sedRun) fits(n int) bool {
	if n <= maxHold {
		return true
	}
	r.errorf("%s", errTooMuch)
	r.quit = true
	return false
}

// endCycle prints the pattern space (when print) and the appended text.
func (r *sedRun) endCycle(print bool) {
	if print {
		r.emit(r.ps, r.psNL || r.in.hasNext)
	}
	r.flushAppends()
}

// emit writes a line, with its delimiter when nl.
func (r *sedRun) emit(line []byte, nl bool) {
	r.out.Write(line)
	if nl {
		r.out.Write([]byte{r.delim})
	}
	r.noNL = !nl
}

// flushAppends writes a's text and r's files queued this cycle.
func (r *sedRun) flushAppends() {
	if len(r.appendQ) > 0 && r.noNL {
		r.out.Write([]byte{r.delim})
		r.noNL = false
	}
	for _, a := range r.appendQ {
		if name, ok := strings.CutPrefix(a, "\x00r"); ok {
			if f, err := r.open(name); err == nil {
				io.Copy(r.out, f)
				f.Close()
			}
			continue
		}
		io.WriteString(r.out, a)
	}
	r.appendQ = r.appendQ[:0]
}

// writeTo appends a line to a w file, opened (truncated) on first use.
func (r *sedRun) writeTo(name string, line []byte) {
	w, ok := r.wfiles[name]
	if !ok {
		switch name {
		case "/dev/stdout":
			w = nopWriteCloser{r.out}
		case "/dev/stderr":
			w = nopWriteCloser{r.Stderr}
		default:
			f, err := r.create(name, false, 0o644&^umask)
			if err != nil {
				r.errorf("couldn't open file %s: %s", name, errText(err))
				r.status = 4
				r.quit = true
				return
			}
			w = f
		}
		r.wfiles[name] = w
	}
	w.Write(append(bytes.Clone(line), '\n'))
}

// regex returns an address's or command's regex, the last one used when
// it is empty.
func (r *sedRun) regex(re *regexp.Regexp) *regexp.Regexp {
	if re == nil {
		if r.lastRe == nil {
			r.errorf("no previous regular expression")
			r.quit = true
			return regexp.MustCompile(`$.^`)
		}
		return r.lastRe
	}
	r.lastRe = re
	return re
}

// matchAddr reports whether a single address matches the current line.
func (r *sedRun) matchAddr(a *sedAddr) bool {
	switch a.kind {
	case addrLine:
		return r.lineNum == a.n
	case addrLast:
		return !r.in.hasNext
	case addrRegex:
		return r.regex(a.re).Match(r.ps)
	case addrStep:
		if a.step <= 0 {
			return r.lineNum == a.n
		}
		return r.lineNum >= a.n && (r.lineNum-a.n)%a.step == 0
	}
	return false
}

// selected reports whether cmd applies to the current line, keeping
// range state.
func (r *sedRun) selected(cmd *sedCmd) bool {
	if cmd.a1 == nil {
		return true
	}
	var sel bool
	if cmd.a2 == nil {
		sel = r.matchAddr(cmd.a1)
	} else {
		sel = r.inRange(cmd)
	}
	return sel != cmd.neg
}

// inRange steps an address range.
func (r *sedRun) inRange(cmd *sedCmd) bool {
	a2 := cmd.a2
	if cmd.active {
		switch a2.kind {
		case addrLine, addrPlus, addrMult:
			if r.lineNum >= cmd.rangeEnd {
				cmd.active = false
			}
		case addrLast:
			if !r.in.hasNext {
				cmd.active = false
			}
		case addrRegex:
			if r.regex(a2.re).Match(r.ps) {
				cmd.active = false
			}
		}
		return true
	}
	start := cmd.a1.kind == addrZero || r.matchAddr(cmd.a1)
	if cmd.a1.kind == addrZero {
		start = r.lineNum == 1
	}
	if !start {
		return false
	}
	cmd.active = true
	switch a2.kind {
	case addrLine:
		cmd.rangeEnd = a2.n
		if a2.n <= r.lineNum {
			cmd.active = false
		}
	case addrPlus:
		cmd.rangeEnd = r.lineNum + a2.n
		if a2.n == 0 {
			cmd.active = false
		}
	case addrMult:
		if a2.n <= 0 || r.lineNum%a2.n == 0 {
			cmd.active = false
		} else {
			cmd.rangeEnd = (r.lineNum/a2.n + 1) * a2.n
		}
	case addrLast:
		if !r.in.hasNext {
			cmd.active = false
		}
	case addrRegex:
		if cmd.a1.kind == addrZero && r.regex(a2.re).Match(r.ps) {
			cmd.active = false
		}
	}
	return true
}

// subst runs an s command; it reports whether it replaced anything.
func (r *sedRun) subst(cmd *sedCmd) bool {
	re := r.regex(cmd.re)
	matches := re.FindAllSubmatchIndex(r.ps, -1)
	if len(matches) == 0 {
		return false
	}
	var out []byte
	last, n, replaced := 0, 0, false
	for _, m := range matches {
		n++
		if n < cmd.nth || replaced && !cmd.global || cmd.nth == 0 && n > 1 && !cmd.global {
			continue
		}
		out = append(out, r.ps[last:m[0]]...)
		out = appendReplacement(out, r.ps, m, cmd.repl)
		last, replaced = m[1], true
	}
	if !replaced {
		return false
	}
	r.ps = append(out, r.ps[last:]...)
	for i := 0; i < cmd.print; i++ {
		r.emit(r.ps, true)
	}
	if cmd.text != "" {
		r.writeTo(cmd.text, r.ps)
	}
	return true
}

// appendReplacement expands a replacement for match m of src.
func appendReplacement(out, src []byte, m []int, repl []replPart) []byte {
	var mode, once byte // 'U'/'L' for the rest, 'u'/'l' for one letter
	add := func(s []byte) {
		for _, ch := range string(s) {
			switch {
			case once == 'u':
				ch, once = unicode.ToUpper(ch), 0
			case once == 'l':
				ch, once = unicode.ToLower(ch), 0
			case mode == 'U':
				ch = unicode.ToUpper(ch)
			case mode == 'L':
				ch = unicode.ToLower(ch)
			}
			out = append(out, string(ch)...)
		}
	}
	for _, p := range repl {
		switch {
		case p.conv == 'u' || p.conv == 'l':
			once = p.conv
		case p.conv == 'U' || p.conv == 'L':
			mode, once = p.conv, 0
		case p.conv == 'E':
			mode, once = 0, 0
		case p.group == -2:
			add([]byte(p.lit))
		case p.group == -1:
			add(src[m[0]:m[1]])
		case 2*p.group+1 < len(m) && m[2*p.group] >= 0:
			add(src[m[2*p.group]:m[2*p.group+1]])
		}
	}
	return out
}
