package runtime

import (
	"strings"
	"testing"
	"time"
)

func TestExecHello(t *testing.T) {
	res := run(t, `python3 -c 'print("hello")'`, ExecOptions{})
	if res.ExitCode != 0 || !res.Success || res.Stdout != "hello\n" || res.Stderr != "" {
		t.Fatalf("got %+v", res)
	}
	if res.Command != `python3 -c 'print("hello")'` || res.Duration <= 0 || res.Timestamp.IsZero() {
		t.Fatalf("metadata: %+v", res)
	}
}

func TestExecStreamsAndExitCodes(t *testing.T) {
	for _, tc := range []struct {
		code           string
		exit           int
		stdout, stderr string
	}{
		{`import sys; print("out"); print("err", file=sys.stderr)`, 0, "out\n", "err\n"},
		{`import sys; sys.exit(3)`, 3, "", ""},
		{`import sys; sys.exit("bye")`, 1, "", "bye\n"},
		{`raise ValueError("boom")`, 1, "", "ValueError: boom"},
		{`def f(: pass`, 1, "", "SyntaxError"},
	} {
		res := run(t, "python3 -c '"+strings.ReplaceAll(tc.code, "'", `'\''`)+"'", ExecOptions{})
		if res.ExitCode != tc.exit || res.Success != (tc.exit == 0) || res.Stdout != tc.stdout || !strings.Contains(res.Stderr, tc.stderr) {
			t.Errorf("%s: got exit %d stdout %q stderr %q", tc.code, res.ExitCode, res.Stdout, res.Stderr)
		}
	}
}

func TestExecStdin(t *testing.T) {
	res := run(t, `python3 -c 'import sys; print(sys.stdin.read().upper())'`, ExecOptions{Stdin: strings.NewReader("abc")})
	if res.Stdout != "ABC\n" {
		t.Fatalf("got %+v", res)
	}
	res = run(t, `python3 -c 'import sys; print(repr(sys.stdin.read()))'`, ExecOptions{})
	if res.Stdout != "''\n" {
		t.Fatalf("empty stdin: got %+v", res)
	}
}

func TestExecTimeoutLoopAndSleep(t *testing.T) {
	for _, code := range []string{"while True: pass", "import time; time.sleep(30)"} {
		start := time.Now()
		res := run(t, "python3 -c '"+code+"'", ExecOptions{Timeout: 500 * time.Millisecond})
		if !res.TimedOut || res.ExitCode != ExitTimeout || res.Success {
			t.Errorf("%s: got %+v", code, res)
		}
		if took := time.Since(start); took > 10*time.Second {
			t.Errorf("%s: stopped after %v", code, took)
		}
	}
}

func TestExecSleepWorks(t *testing.T) {
	res := run(t, `python3 -c 'import time; t=time.monotonic(); time.sleep(0.2); print(time.monotonic()-t >= 0.2)'`, ExecOptions{})
	if res.Stdout != "True\n" || res.ExitCode != 0 {
		t.Fatalf("got %+v", res)
	}
}
