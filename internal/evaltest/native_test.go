package evaltest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// These helpers run harness.py under the host's python3, through Run, so
// that the harness and the host's judging are tested together without a
// sandbox.

func python(t *testing.T) string {
	t.Helper()
	p, err := pythonPath()
	if err != nil {
		t.Skipf("python3 unusable: %v", err)
	}
	return p
}

// pythonPath is the host's python3 interpreter itself, not a wrapper on
// PATH (such as pyenv's shim, which costs a shell start per run).
var pythonPath = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	return strings.TrimSpace(string(out)), err
})

// nativeRun is what a run of the harness under the native python3 gave.
type nativeRun struct {
	script string // path of the evaluation script
	rep    *Report
	exits  []Exit // one per instance
}

// stderr is what the instances wrote to standard error.
func (r *nativeRun) stderr() string {
	var b strings.Builder
	for _, e := range r.exits {
		b.WriteString(e.Stderr)
	}
	return b.String()
}

// runHarness writes code to a temporary directory and runs the cases (a
// cases file in either format) against function.
func runHarness(t *testing.T, code, function, cases string) *nativeRun {
	t.Helper()
	py := python(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "eval_script.py")
	harness := filepath.Join(dir, "harness.py")
	require.NoError(t, os.WriteFile(script, []byte(code), 0o644))
	require.NoError(t, os.WriteFile(harness, HarnessSource, 0o644))
	return runNative(t, py, []string{"-I", harness, script, function}, script, cases)
}

// runNative runs python3 with args (the harness and its arguments, possibly
// wrapped) on cases.
func runNative(t *testing.T, py string, args []string, script, cases string) *nativeRun {
	t.Helper()
	cs, err := ParseCases([]byte(cases))
	require.NoError(t, err)
	run := &nativeRun{script: script}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	launch := func(ctx context.Context, stdin io.Reader, stdout io.Writer) (Exit, error) {
		exit, err := launchNative(ctx, py, args, stdin, stdout)
		run.exits = append(run.exits, exit)
		return exit, err
	}
	run.rep, err = Run(ctx, Config{Function: "evaluate", Timeout: 30 * time.Second}, cs, launch)
	require.NoError(t, err)
	return run
}

// launchNative runs python3 with args as a Launcher would. A pipe cannot
// tell the host when the guest reads, as the sandbox can, so this reads the
// next request for the guest only once a line has come out: a lockstep that
// suits the honest harness these tests run.
func launchNative(ctx context.Context, py string, args []string, stdin io.Reader, stdout io.Writer) (Exit, error) {
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	inR, inW, err := os.Pipe()
	if err != nil {
		return Exit{}, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return Exit{}, err
	}
	cmd.Stdin, cmd.Stdout = inR, outW
	if err := cmd.Start(); err != nil {
		return Exit{}, err
	}
	inR.Close()
	outW.Close()
	lines := make(chan struct{}, 1<<16)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // the guest's output, a signal per line
		defer wg.Done()
		defer close(lines)
		buf := make([]byte, 32<<10)
		for {
			n, err := outR.Read(buf)
			stdout.Write(buf[:n])
			for range bytes.Count(buf[:n], []byte{'\n'}) {
				lines <- struct{}{}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { // a request line per line out
		defer wg.Done()
		defer inW.Close()
		for range lines {
			line, err := readLine(stdin)
			inW.Write(line)
			if err != nil {
				return
			}
		}
	}()
	err = cmd.Wait()
	outR.Close()
	wg.Wait()
	exit := Exit{Stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		exit.Code, err = ee.ExitCode(), nil
	}
	if ctx.Err() != nil {
		return exit, ctx.Err()
	}
	return exit, err
}

// readLine reads r up to and including a newline.
func readLine(r io.Reader) ([]byte, error) {
	var line []byte
	buf := make([]byte, 64<<10)
	for !bytes.HasSuffix(line, []byte{'\n'}) {
		n, err := r.Read(buf)
		line = append(line, buf[:n]...)
		if err != nil {
			return line, err
		}
	}
	return line, nil
}

// statusesOf lists the statuses of a report's cases.
func statusesOf(rep *Report) []Status {
	var s []Status
	for _, c := range rep.Cases {
		s = append(s, c.Status)
	}
	return s
}
