package runtime

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExecHello(t *testing.T) {
	res := run(t, `python3 -c 'print("hello")'`, ExecOptions{})
	assertRan(t, 0, "hello\n", res)
	assert.True(t, res.Success)
	assert.Empty(t, res.Stderr)
	assert.Equal(t, `python3 -c 'print("hello")'`, res.Command)
	assert.Positive(t, res.Duration)
	assert.False(t, res.Timestamp.IsZero(), "no timestamp")
}

func TestExecStreamsAndExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name           string
		code           string
		exit           int
		stdout, stderr string
	}{
		{"both streams", `import sys; print("out"); print("err", file=sys.stderr)`, 0, "out\n", "err\n"},
		{"exit code", `import sys; sys.exit(3)`, 3, "", ""},
		{"exit message", `import sys; sys.exit("bye")`, 1, "", "bye\n"},
		{"exception", `raise ValueError("boom")`, 1, "", "ValueError: boom"},
		{"syntax error", `def f(: pass`, 1, "", "SyntaxError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "python3 -c '"+strings.ReplaceAll(tc.code, "'", `'\''`)+"'", ExecOptions{})
			assertRan(t, tc.exit, tc.stdout, res)
			assert.Equal(t, tc.exit == 0, res.Success, "Success")
			assert.Contains(t, res.Stderr, tc.stderr)
		})
	}
}

func TestExecStdin(t *testing.T) {
	res := run(t, `python3 -c 'import sys; print(sys.stdin.read().upper())'`, ExecOptions{Stdin: strings.NewReader("abc")})
	assert.Equal(t, "ABC\n", res.Stdout, "stderr %q", res.Stderr)
	res = run(t, `python3 -c 'import sys; print(repr(sys.stdin.read()))'`, ExecOptions{})
	assert.Equal(t, "''\n", res.Stdout, "empty stdin; stderr %q", res.Stderr)
}

func TestExecTimeoutLoopAndSleep(t *testing.T) {
	for name, code := range map[string]string{
		"loop":  "while True: pass",
		"sleep": "import time; time.sleep(30)",
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			res := run(t, "python3 -c '"+code+"'", ExecOptions{Timeout: 500 * time.Millisecond})
			assert.True(t, res.TimedOut, "TimedOut")
			assert.Equal(t, ExitTimeout, res.ExitCode)
			assert.False(t, res.Success, "Success")
			assert.LessOrEqual(t, time.Since(start), 10*time.Second, "stopped late")
		})
	}
}

func TestExecSleepWorks(t *testing.T) {
	res := run(t, `python3 -c 'import time; t=time.monotonic(); time.sleep(0.2); print(time.monotonic()-t >= 0.2)'`, ExecOptions{})
	assertRan(t, 0, "True\n", res)
}
