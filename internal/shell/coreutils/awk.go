package coreutils

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/benhoyt/goawk/interp"
	"github.com/benhoyt/goawk/lexer"
	"github.com/benhoyt/goawk/parser"
)

func init() { register(awk, "awk", "gawk", "mawk") }

// awk runs an AWK program with GoAWK. Input files are read from the
// sandbox filesystem; system(), pipes, getline from files and output
// redirections to files are refused (the interpreter would reach the
// host), and FILENAME reads "-". Options: -F FS, -v NAME=VALUE, -f FILE.
func awk(c *call) int {
	var (
		fs, progSrc string
		progFiles   []string
		vars        []string
		args        = c.Args[1:]
	)
	// Options come before the program, in order (POSIX awk).
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		a := args[0]
		args = args[1:]
		if a == "--" {
			break
		}
		val := func(flag string) (string, bool) {
			if len(a) > len(flag) {
				return a[len(flag):], true
			}
			if len(args) == 0 {
				c.errorf("option requires an argument -- '%s'", flag[1:])
				c.status = 2
				return "", false
			}
			v := args[0]
			args = args[1:]
			return v, true
		}
		var ok bool
		var v string
		switch {
		case strings.HasPrefix(a, "-F"):
			if fs, ok = val("-F"); !ok {
				return c.finish()
			}
			if fs == "t" {
				fs = "\t"
			}
		case strings.HasPrefix(a, "-v"):
			if v, ok = val("-v"); !ok {
				return c.finish()
			}
			name, value, found := strings.Cut(v, "=")
			if !found {
				c.errorf("improper assignment: -v %s", v)
				c.status = 2
				return c.finish()
			}
			if u, err := lexer.Unescape(value); err == nil {
				value = u
			}
			vars = append(vars, name, value)
		case strings.HasPrefix(a, "-f"):
			if v, ok = val("-f"); !ok {
				return c.finish()
			}
			progFiles = append(progFiles, v)
		default:
			c.errorf("not an option: %s", a)
			c.status = 2
			return c.finish()
		}
	}
	if len(progFiles) > 0 {
		var b strings.Builder
		for _, name := range progFiles {
			r, err := c.open(name)
			if err != nil {
				c.errorf("couldn't open file %s: %s", name, errText(err))
				c.status = 2
				return c.finish()
			}
			_, err = io.Copy(&b, io.LimitReader(r, maxLine))
			r.Close()
			if err != nil {
				c.errorf("couldn't read file %s: %s", name, errText(err))
				c.status = 2
				return c.finish()
			}
			b.WriteByte('\n')
		}
		progSrc = b.String()
	} else {
		if len(args) == 0 {
			c.out.Flush()
			fmt.Fprintln(c.Stderr, "usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]")
			fmt.Fprintln(c.Stderr, "       awk [-F value] [-v var=value] [-f program-file] [--] [file ...]")
			return 2
		}
		progSrc, args = args[0], args[1:]
	}
	prog, err := parser.ParseProgram([]byte(progSrc), nil)
	if err != nil {
		c.errorf("%s", err)
		c.status = 2
		return c.finish()
	}
	// Files become "-" arguments: each reads the next file from the
	// sandbox through standard input, so FNR and NR==FNR work.
	in := &awkInput{c: c}
	var awkArgs []string
	for _, a := range args {
		if isAwkAssignment(a) {
			awkArgs = append(awkArgs, a)
			continue
		}
		in.names = append(in.names, a)
		awkArgs = append(awkArgs, "-")
	}
	stdin := io.Reader(in)
	if len(in.names) == 0 {
		stdin = ctxReader{c, c.Stdin}
	}
	environ := make([]string, 0, 2*len(c.Env))
	for _, kv := range c.Env {
		k, v, _ := strings.Cut(kv, "=")
		environ = append(environ, k, v)
	}
	config := &interp.Config{
		Stdin:        stdin,
		Output:       c.out,
		Error:        c.Stderr,
		Argv0:        c.name,
		Args:         awkArgs,
		Vars:         append([]string{"FS", defaultFS(fs)}, vars...),
		Environ:      environ,
		NoExec:       true,
		NoFileWrites: true,
		NoFileReads:  true,
	}
	it, err := interp.New(prog)
	if err == nil {
		var status int
		status, err = it.ExecuteContext(c.ctx, config)
		c.status = status
	}
	if err != nil && c.ctx.Err() == nil && c.out.err == nil {
		if open := in.failed; open != nil {
			c.errorf("cannot open %s (%s)", open.name, errText(open.err))
		} else {
			c.errorf("%s", err)
		}
		c.status = 2
	}
	return c.finish()
}

// defaultFS is -F's value, or a space (whitespace-separated fields).
func defaultFS(fs string) string {
	if fs == "" {
		return " "
	}
	return fs
}

// isAwkAssignment reports whether an operand is a NAME=value assignment.
func isAwkAssignment(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	if !ok || name == "" || isDigit(name[0]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isWordByte(name[i]) || name[i] >= 0x80 {
			return false
		}
	}
	return true
}

// awkOpenError is an input file that could not be opened.
type awkOpenError struct {
	name string
	err  error
}

func (e *awkOpenError) Error() string { return "cannot open " + e.name + ": " + errText(e.err) }

// awkInput reads the input files in turn, ending each with io.EOF so
// that GoAWK starts the next "-" argument on the next file.
type awkInput struct {
	c     *call
	names []string
	cur   io.ReadCloser
	// atEnd: the current file ended with data; the next read says so.
	atEnd bool
	// failed is the file that could not be opened (GoAWK keeps only the
	// error's text).
	failed *awkOpenError
}

func (a *awkInput) Read(p []byte) (int, error) {
	if a.atEnd {
		a.atEnd = false
		return 0, io.EOF
	}
	if a.cur == nil {
		if len(a.names) == 0 {
			return 0, io.EOF
		}
		name := a.names[0]
		a.names = a.names[1:]
		r, err := a.c.open(name)
		if err != nil {
			a.failed = &awkOpenError{name, err}
			return 0, a.failed
		}
		a.cur = r
	}
	n, err := a.cur.Read(p)
	if errors.Is(err, io.EOF) {
		a.cur.Close()
		a.cur = nil
		if n > 0 {
			a.atEnd = true
			return n, nil
		}
	}
	return n, err
}
