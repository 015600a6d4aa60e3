package runtime

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tracebackLines keeps what a traceback says whatever the Python version:
// its header, its "File" lines and the exception lines, not the source and
// caret lines (indented by four spaces).
func tracebackLines(stderr string) []string {
	var out []string
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "    ") {
			out = append(out, line)
		}
	}
	return out
}

// A program run by the shell's python3 reports an uncaught exception as a
// native python3 does: no frame of wasmbox's own shows.
func TestTracebackAsNative(t *testing.T) {
	native, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no native python3 to compare with")
	}
	programs := []struct{ name, code string }{
		{"uncaught in a function", "def f():\n    1 / 0\nf()\n"},
		{"chained", "try:\n    {}['k']\nexcept KeyError as e:\n    raise ValueError('v') from e\n"},
		{"during handling", "try:\n    int('x')\nexcept ValueError:\n    [][1]\n"},
		{"print_exc inside, then exit status", "import traceback\ndef g():\n    raise OSError('o')\ntry:\n    g()\nexcept OSError:\n    traceback.print_exc()\nraise SystemExit(3)\n"},
		{"syntax error", "x = (\n"},
		{"exception group", "raise ExceptionGroup('g', [ValueError(1), TypeError(2)])\n"},
	}
	forms := []struct {
		name    string
		args    []string                 // native python3's
		command func(code string) string // the sandbox's
		stdin   bool
	}{
		{"-c", []string{"-c"}, func(code string) string { return "python3 -c '" + code + "'" }, false},
		{"stdin", []string{"-"}, func(string) string { return "python3 -" }, true},
		// Away from "/", python3 runs through chdirBoot.
		{"-c in a directory", []string{"-c"}, func(code string) string { return "cd /tmp && python3 -c '" + code + "'" }, false},
		{"stdin in a directory", []string{"-"}, func(string) string { return "cd /tmp && python3 -" }, true},
	}
	for _, prog := range programs {
		for _, form := range forms {
			t.Run(prog.name+"/"+form.name, func(t *testing.T) {
				args := form.args
				if !form.stdin {
					args = append(args[:len(args):len(args)], prog.code)
				}
				cmd := exec.Command(native, args...)
				cmd.Stdin = strings.NewReader(prog.code)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				wantExit := 0
				var exitErr *exec.ExitError
				if err := cmd.Run(); errors.As(err, &exitErr) {
					wantExit = exitErr.ExitCode()
				} else {
					require.NoError(t, err)
				}
				opts := ExecOptions{}
				if form.stdin {
					opts.Stdin = strings.NewReader(prog.code)
				}
				res := run(t, form.command(strings.ReplaceAll(prog.code, "'", `'"'"'`)), opts)
				assert.Equal(t, wantExit, res.ExitCode)
				assert.Equal(t, tracebackLines(stderr.String()), tracebackLines(res.Stderr))
			})
		}
	}
}
