package bench

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Python is the host's CPython that the native variant runs.
type Python struct {
	// Path is the interpreter binary itself, past any shim or wrapper.
	Path string `json:"path"`
	// Version is its version, like 3.12.4.
	Version string `json:"version"`
}

// pythonProbe prints the interpreter's own path and its version.
const pythonProbe = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])"

// FindPython finds python3 on PATH (or uses name, when not empty) and
// resolves it to the real interpreter by asking it for sys.executable, so
// that a shim (pyenv's are shell scripts) is not timed on every run. The
// error says why there is no usable interpreter.
func FindPython(ctx context.Context, name string) (*Python, error) {
	if name == "" {
		name = "python3"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, path, "-c", pythonProbe)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s does not run: %v: %s", path, err, tail(stderr.String()))
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("%s: unexpected answer to the probe: %q", path, out)
	}
	p := &Python{Path: strings.TrimSpace(lines[0]), Version: strings.TrimSpace(lines[1])}
	if p.Path == "" {
		p.Path = path // sys.executable may be empty in embedded builds
	}
	return p, nil
}

// nativeVariant runs the workload with the host's python3, a process per
// run.
type nativeVariant struct {
	python string
}

func (nativeVariant) Name() string { return NativeName }

func (nativeVariant) Description() string {
	return "host python3 FILE, a subprocess per run (eval100: a plain-Python loop over the cases)"
}

func (v nativeVariant) Prepare(_ context.Context, w *Workload) (RunFunc, error) {
	if w.Eval != nil {
		return func(ctx context.Context) error {
			return runProcess(ctx, expectStdout(nativeEvalStdout), v.python, w.files.driver, w.files.eval, w.files.cases)
		}, nil
	}
	return func(ctx context.Context) error {
		return runProcess(ctx, expectStdout(w.Stdout), v.python, w.files.script)
	}, nil
}

// runProcess runs name with args, without stdin, and checks that it exits
// with status 0 and that check accepts its stdout.
func runProcess(ctx context.Context, check func(stdout string) error, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	var stdout, stderr strings.Builder
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("timed out after %v", runTimeout)
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &exit):
		return fmt.Errorf("exit status %d: %s", exit.ExitCode(), tail(stderr.String()))
	case err != nil:
		return err
	}
	return check(stdout.String())
}

// expectStdout returns a check that stdout is exactly want.
func expectStdout(want string) func(string) error {
	return func(got string) error {
		if got != want {
			return fmt.Errorf("printed %q, want %q", clip(got), want)
		}
		return nil
	}
}

// tail returns the end of s, for an error message: its last line that is
// not blank, cut to a readable length.
func tail(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	const max = 300
	if len(s) > max {
		s = "…" + s[len(s)-max:]
	}
	if s == "" {
		return "(no output)"
	}
	return s
}

// clip cuts s to a readable length, for an error message.
func clip(s string) string {
	const max = 300
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
