package runtime

import (
	"context"
	"io"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExecMemoryLimit(t *testing.T) {
	var before goruntime.MemStats
	goruntime.ReadMemStats(&before)
	res := run(t, `python3 -c 'x = []
while True: x.append(bytearray(1 << 20))'`, ExecOptions{MemoryLimit: 64 << 20})
	assert.True(t, res.MemoryExceeded, "MemoryExceeded")
	assert.Equal(t, ExitMemory, res.ExitCode)
	assert.Contains(t, res.Stderr, "MemoryError")
	var after goruntime.MemStats
	goruntime.ReadMemStats(&after)
	// The guest's memory is an mmap outside the Go heap, freed with the
	// instance: the host heap must not have grown by the guest's 64 MiB.
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.LessOrEqual(t, grew, int64(32<<20), "host heap grew by %d MiB", grew>>20)
	// The sandbox still works after the bomb.
	res = run(t, `python3 -c 'print(1)'`, ExecOptions{})
	assert.Equal(t, "1\n", res.Stdout, "after the bomb: %+v", res)
}

func TestExecMemoryErrorCaught(t *testing.T) {
	res := run(t, `python3 -c '
try:
    b = bytearray(200 << 20)
except MemoryError:
    print("caught")'`, ExecOptions{MemoryLimit: 64 << 20})
	assertRan(t, 0, "caught\n", res)
	assert.True(t, res.MemoryExceeded, "MemoryExceeded")
}

func TestMemoryLimitBelowStart(t *testing.T) {
	_, err := testEngine.NewSandbox(SandboxConfig{MemoryLimit: 1 << 20})
	assert.ErrorContains(t, err, "needs to start")
}

func TestExecOutputCapped(t *testing.T) {
	res := run(t, `python3 -c 'import sys
for i in range(100000): print("x" * 99)
print("e" * 5000, file=sys.stderr)'`, ExecOptions{MaxOutput: 4096})
	assert.Equal(t, 0, res.ExitCode)
	assert.Equal(t, 4096, len(res.Stdout), "stdout bytes")
	assert.True(t, res.StdoutTruncated, "StdoutTruncated")
	assert.Equal(t, 4096, len(res.Stderr), "stderr bytes")
	assert.True(t, res.StderrTruncated, "StderrTruncated")
}

func TestExecFilesystemFlood(t *testing.T) {
	s := newSandbox(t, SandboxConfig{MaxFSBytes: 1 << 20, MaxFiles: 50})
	res := execIn(t, s, `python3 -c '
try:
    with open("/tmp/big", "wb") as f:
        for i in range(100): f.write(b"x" * 65536)
except OSError as e:
    print("bytes refused", e.errno)
n = 0
try:
    for i in range(1000):
        open(f"/tmp/f{i}", "w").close(); n += 1
except OSError as e:
    print("files refused after", n)'`, ExecOptions{})
	assert.Equal(t, 0, res.ExitCode, "stderr %q", res.Stderr)
	assert.Contains(t, res.Stdout, "bytes refused")
	assert.Contains(t, res.Stdout, "files refused after")
	assert.ErrorIs(t, s.WriteFile("/tmp/more", make([]byte, 2<<20)), ErrNoSpace, "host write past the cap")
}

func TestExecStdinPipeStopsAtTimeout(t *testing.T) {
	r, w := io.Pipe() // nobody ever writes
	defer w.Close()
	start := time.Now()
	res := run(t, `python3 -c 'import sys; sys.stdin.read()'`, ExecOptions{Stdin: r, Timeout: 500 * time.Millisecond})
	assert.True(t, res.TimedOut, "TimedOut")
	assert.Equal(t, ExitTimeout, res.ExitCode)
	assert.LessOrEqual(t, time.Since(start), 10*time.Second, "stopped late")
}

func TestExecCrashIsAFailedProgram(t *testing.T) {
	// abort() in the guest is the wasm instruction unreachable: a trap,
	// reported as a crashed program.
	res := run(t, `python3 -c 'import faulthandler; faulthandler._sigabrt()'`, ExecOptions{Policy: &noPolicy})
	assert.Equal(t, ExitCrashed, res.ExitCode)
	assert.False(t, res.Success, "Success")
	assert.Equal(t, "wasmbox: the program crashed: wasm error: unreachable\n", res.Stderr)
	// Recursion through C code (map calling f calling map) is stopped by
	// CPython 3.13's C recursion limit before it overflows the C stack.
	res = run(t, `python3 -c '
import sys
sys.setrecursionlimit(10**6)
def f(n): return list(map(f, [n + 1]))
f(0)'`, ExecOptions{})
	assert.Equal(t, 1, res.ExitCode)
	assert.True(t, strings.HasSuffix(res.Stderr, "RecursionError: maximum recursion depth exceeded\n"), "stderr %q", res.Stderr)
}

func TestGuestSeesNoHost(t *testing.T) {
	t.Setenv("WASMBOX_SECRET", "leak")
	for _, tc := range []struct{ name, code, want string }{
		{"host file", `open("/etc/passwd").read()`, "FileNotFoundError"},
		{"host dir", `import os; print(sorted(os.listdir("/")))`, "['dev', 'tmp']"},
		{"traversal", `open("/../../etc/hostname").read()`, "PermissionError"},
		{"environment", `import os; print(dict(os.environ))`, "{}"},
		{"socket", `import socket; socket.create_connection(("127.0.0.1", 80), timeout=1)`, "Error"},
		{"subprocess", `import os; os.system("ls")`, "Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, "python3 -c '"+tc.code+"'", ExecOptions{})
			assert.Contains(t, res.Stdout+res.Stderr, tc.want)
			assert.NotContains(t, res.Stdout+res.Stderr, "leak")
		})
	}
}

func TestExecEnvOnlyWhatCallerSets(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Env: map[string]string{"A": "1", "B": "2"}})
	res := execIn(t, s, `python3 -c 'import os; print(sorted(os.environ.items()))'`, ExecOptions{Env: map[string]string{"B": "3"}})
	assert.Equal(t, "[('A', '1'), ('B', '3')]\n", res.Stdout, "stderr %q", res.Stderr)
}

// wazero's compiled code cannot be preempted: a guest that never called
// into Go would hold every other goroutine at the next stop-the-world of a
// garbage collection, the timer meant to stop it included. The reactor's
// preemption points call into Go every so many loop iterations, so
// collections go on while a guest spins in bytecode or in C, and the guest
// still ends at its timeout.
func TestSpinningGuestDoesNotHoldUpTheGC(t *testing.T) {
	for name, code := range map[string]string{
		"bytecode": "while True: pass",
		"C loop":   "print(sum(range(10**15)))",
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{})
			type outcome struct {
				res *ExecResult
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				res, err := s.Exec(context.Background(), "python3 -c '"+code+"'", ExecOptions{Timeout: 2 * time.Second})
				done <- outcome{res, err}
			}()
			time.Sleep(200 * time.Millisecond)
			var slowest time.Duration
			for i := 0; i < 10; i++ {
				start := time.Now()
				goruntime.GC()
				slowest = max(slowest, time.Since(start))
				time.Sleep(50 * time.Millisecond)
			}
			assert.LessOrEqual(t, slowest, time.Second, "a garbage collection took this long while the guest spun")
			select {
			case got := <-done:
				require.NoError(t, got.err)
				assert.True(t, got.res.TimedOut, "TimedOut")
				assert.Equal(t, ExitTimeout, got.res.ExitCode)
			case <-time.After(time.Minute):
				require.Fail(t, "the spinning guest was not stopped")
			}
		})
	}
}
