package coreutils

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/wasmbox/wasmbox/internal/shell"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// exitCanceled is the status of a utility stopped by its context, as a
// shell reports a command killed by SIGINT.
const exitCanceled = 130

// exitBrokenPipe is the status of a utility whose reader went away, as a
// shell reports one killed by SIGPIPE (yes | head).
const exitBrokenPipe = 141

// call is one run of a utility: its context, environment, name, buffered
// standard output and the status it will return.
type call struct {
	ctx context.Context
	*shell.Invocation
	cfg    *Config
	name   string
	out    *outWriter
	status int
	// prefixTry starts the --help hint with the name, as diffutils do.
	prefixTry bool
	// hint, when set, replaces the --help hint (tar's names --usage too).
	hint string
}

func newCall(ctx context.Context, inv *shell.Invocation, cfg *Config) *call {
	name := "?"
	if len(inv.Args) > 0 {
		name = inv.Args[0]
	}
	return &call{ctx: ctx, Invocation: inv, cfg: cfg, name: name, out: newOutWriter(inv.Stdout)}
}

// finish flushes standard output and returns the exit status:
// exitCanceled when the context ended, exitBrokenPipe when the reader of
// standard output went away, 1 when output could not be written.
func (c *call) finish() int {
	c.out.Flush()
	switch {
	case c.ctx.Err() != nil:
		return exitCanceled
	case c.out.err != nil && isBrokenPipe(c.out.err):
		return exitBrokenPipe
	case c.out.err != nil:
		fmt.Fprintf(c.Stderr, "%s: write error: %s\n", c.name, errText(c.out.err))
		if c.status == 0 {
			return 1
		}
	}
	return c.status
}

// stopped reports whether the utility should stop: its context ended or
// its output is gone.
func (c *call) stopped() bool {
	return c.ctx.Err() != nil || c.out.err != nil
}

// errorf prints "name: message" to standard error and sets the status to 1.
func (c *call) errorf(format string, args ...any) {
	c.warnf(format, args...)
	if c.status == 0 {
		c.status = 1
	}
}

// warnf prints "name: message" to standard error, status unchanged.
func (c *call) warnf(format string, args ...any) {
	c.out.Flush()
	fmt.Fprintf(c.Stderr, c.name+": "+format+"\n", args...)
}

// usage prints an option error and GNU's hint, and returns code.
func (c *call) usage(code int, format string, args ...any) int {
	c.out.Flush()
	fmt.Fprintf(c.Stderr, c.name+": "+format+"\n", args...)
	return c.tryHelp(code)
}

// tryHelp prints GNU's hint after a usage error and returns code.
func (c *call) tryHelp(code int) int {
	if c.hint != "" {
		fmt.Fprintln(c.Stderr, c.hint)
		return code
	}
	if c.prefixTry {
		fmt.Fprintf(c.Stderr, "%s: ", c.name)
	}
	fmt.Fprintf(c.Stderr, "Try '%s --help' for more information.\n", c.name)
	return code
}

// outWriter buffers standard output and keeps its first write error; later
// writes are dropped.
type outWriter struct {
	*bufio.Writer
	err error
}

func newOutWriter(w io.Writer) *outWriter {
	o := &outWriter{}
	o.Writer = bufio.NewWriterSize(errKeeper{o, w}, 32<<10)
	return o
}

// errKeeper records the first error of the writer under the buffer.
type errKeeper struct {
	o *outWriter
	w io.Writer
}

func (k errKeeper) Write(p []byte) (int, error) {
	if k.o.err != nil {
		return 0, k.o.err
	}
	n, err := k.w.Write(p)
	if err != nil {
		k.o.err = err
	}
	return n, err
}

// isBrokenPipe reports whether err is a reader that went away, which a
// utility ends on quietly as a GNU one dies of SIGPIPE.
func isBrokenPipe(err error) bool {
	return errors.Is(err, io.ErrClosedPipe) || errors.Is(err, syscall.EPIPE)
}

// errText is the C library's text for err, as GNU prints it.
func errText(err error) string {
	if isBrokenPipe(err) {
		return "Broken pipe"
	}
	return shell.ErrText(err)
}

// errno returns err's Errno, 0 when it has none.
func errno(err error) experimentalsys.Errno {
	var e experimentalsys.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

// quote quotes a file name for a message as GNU does in the C locale:
// 'name', or "name" when it holds a single quote.
func quote(s string) string {
	if strings.ContainsRune(s, '\'') {
		return `"` + s + `"`
	}
	return "'" + s + "'"
}
