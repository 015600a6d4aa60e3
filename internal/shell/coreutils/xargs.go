package coreutils

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

func init() { register(xargs, "xargs") }

var xargsSpec = optSpec{
	short:   "0d:n:I:iL:lrtP:s:E:a:xo",
	inOrder: true,
	long: map[string]string{
		"null": "0", "delimiter=": "d", "max-args=": "n", "replace=?": "i", "max-lines=?": "l",
		"no-run-if-empty": "r", "verbose": "t", "max-procs=": "P", "max-chars=": "s",
		"arg-file=": "a", "exit": "x", "open-tty": "o",
	},
}

// xargsMaxChars bounds one command line's bytes, as GNU's default does.
const xargsMaxChars = 128 << 10

// xargs runs a command (default echo) with arguments read from standard
// input: blank-separated with quotes and backslashes, or -0 / -d DELIM;
// -n N per run, -L N lines per run, -I REPL replacing in each argument
// once per line, -r skips an empty input, -t traces, -P runs one at a
// time. Status 123 when a run failed, 124 on a 255, 126/127 when the
// command could not run.
func xargs(c *call) int {
	o, code := c.parseOpts(xargsSpec)
	if o == nil {
		return code
	}
	cmd := o.operands
	if len(cmd) == 0 {
		cmd = []string{"echo"}
	}
	maxArgs, maxLines := 0, 0
	replace := ""
	for _, x := range o.list {
		var err error
		switch x.key {
		case "n":
			maxArgs, err = positive(x.val)
		case "L":
			maxLines, err = positive(x.val)
		case "l":
			maxLines = 1
			if x.val != "" {
				maxLines, err = positive(x.val)
			}
		case "I":
			replace, maxLines = x.val, 1
		case "i":
			replace, maxLines = "{}", 1
			if x.val != "" {
				replace = x.val
			}
		}
		if err != nil {
			if _, aerr := strconv.Atoi(x.val); aerr == nil {
				return c.usage(1, "value %s for -%s option should be >= 1", x.val, x.key)
			}
			return c.usage(1, "invalid number \"%s\" for -%s option", x.val, x.key)
		}
	}
	in := io.Reader(ctxReader{c, c.Stdin})
	if name, ok := o.val("a"); ok {
		r, err := c.open(name)
		if err != nil {
			c.errorf("Cannot open input file %s: %s", quote(name), errText(err))
			return c.finish()
		}
		defer r.Close()
		in = r
	}
	var split func(*bufio.Reader) ([]string, error) // one input line's arguments
	switch d, hasD := o.val("d"); {
	case o.has("0"):
		split = delimSplit(0)
	case hasD:
		if len(unescape(d)) != 1 {
			c.errorf("invalid input delimiter specification %s: the delimiter must be a single character", d)
			return c.finish()
		}
		split = delimSplit(unescape(d)[0])
	case replace != "":
		split = lineSplit
	default:
		split = quotedSplit
	}
	br := bufio.NewReader(in)
	ran, failed := false, 0
	var batch []string
	lines := 0
	run := func() bool {
		if len(batch) == 0 && (ran || o.has("r")) {
			return true
		}
		argv := append(append([]string(nil), cmd...), batch...)
		if replace != "" {
			arg := strings.Join(batch, " ")
			argv = make([]string, len(cmd))
			for i, a := range cmd {
				argv[i] = strings.ReplaceAll(a, replace, arg)
			}
		}
		batch, lines, ran = batch[:0], 0, true
		if o.has("t") {
			fmt.Fprintln(c.Stderr, strings.Join(argv, " "))
		}
		c.out.Flush()
		sub := *c.Invocation
		sub.Args = argv
		sub.Stdin = strings.NewReader("")
		sub.Stdout = c.out
		code := c.runCommand(&sub)
		c.out.Flush()
		switch {
		case code == 255:
			c.errorf("%s: exited with status 255; aborting", argv[0])
			failed = 124
			return false
		case code == 126 || code == 127:
			failed = code
			return false
		case code != 0:
			failed = 123
		}
		return !c.stopped()
	}
	size := 0
	for !c.stopped() {
		args, err := split(br)
		if err != nil && !errors.Is(err, io.EOF) {
			c.errorf("%s", err)
			return c.finish()
		}
		if len(args) > 0 {
			lines++
		}
		for _, a := range args {
			if replace == "" && (maxArgs > 0 && len(batch) >= maxArgs || size+len(a)+1 > xargsMaxChars && len(batch) > 0) {
				if !run() {
					return c.xargsDone(failed)
				}
				size = 0
			}
			batch = append(batch, a)
			size += len(a) + 1
		}
		if maxLines > 0 && lines >= maxLines && len(batch) > 0 {
			if !run() {
				return c.xargsDone(failed)
			}
			size = 0
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if replace == "" || len(batch) > 0 {
		run()
	}
	return c.xargsDone(failed)
}

// xargsDone returns xargs's status.
func (c *call) xargsDone(failed int) int {
	if code := c.finish(); code != 0 {
		return code
	}
	return failed
}

// positive parses a count of at least 1.
func positive(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, errBadNumber
	}
	return n, nil
}

// delimSplit reads one argument ending at delim.
func delimSplit(delim byte) func(*bufio.Reader) ([]string, error) {
	return func(br *bufio.Reader) ([]string, error) {
		s, err := br.ReadString(delim)
		if len(s) > maxLine {
			return nil, errLineTooLong
		}
		if err == nil {
			return []string{s[:len(s)-1]}, nil
		}
		if s != "" {
			return []string{s}, err
		}
		return nil, err
	}
}

// lineSplit reads one line as one argument, without leading blanks (-I).
func lineSplit(br *bufio.Reader) ([]string, error) {
	s, err := br.ReadString('\n')
	s = strings.TrimLeft(strings.TrimSuffix(s, "\n"), " \t")
	if s == "" {
		return nil, err
	}
	return []string{s}, err
}

// quotedSplit reads one line's blank-separated arguments, with '...',
// "..." and backslash quoting.
func quotedSplit(br *bufio.Reader) ([]string, error) {
	s, err := br.ReadString('\n')
	if len(s) > maxLine {
		return nil, errLineTooLong
	}
	var args []string
	var cur strings.Builder
	inArg := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(s[i+1:], ch)
			if j < 0 {
				kind := "single"
				if ch == '"' {
					kind = "double"
				}
				return nil, fmt.Errorf("unmatched %s quote; by default quotes are special to xargs unless you use the -0 option", kind)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inArg = true
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inArg = true
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(ch)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, err
}
