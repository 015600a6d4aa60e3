package runtime

import (
	"io"
	"os"
	goruntime "runtime"
	"strings"
	"testing"
	"time"
)

func TestExecMemoryLimit(t *testing.T) {
	var before goruntime.MemStats
	goruntime.ReadMemStats(&before)
	res := run(t, `python3 -c 'x = []
while True: x.append(bytearray(1 << 20))'`, ExecOptions{MemoryLimit: 64 << 20})
	if !res.MemoryExceeded || res.ExitCode != ExitMemory || !strings.Contains(res.Stderr, "MemoryError") {
		t.Fatalf("got exit %d memoryExceeded %v stderr %q", res.ExitCode, res.MemoryExceeded, res.Stderr)
	}
	var after goruntime.MemStats
	goruntime.ReadMemStats(&after)
	// The guest's memory is an mmap outside the Go heap, freed with the
	// instance: the host heap must not have grown by the guest's 64 MiB.
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Fatalf("host heap grew by %d MiB", grew>>20)
	}
	// The sandbox still works after the bomb.
	if res := run(t, `python3 -c 'print(1)'`, ExecOptions{}); res.Stdout != "1\n" {
		t.Fatalf("after the bomb: %+v", res)
	}
}

func TestExecMemoryErrorCaught(t *testing.T) {
	res := run(t, `python3 -c '
try:
    b = bytearray(200 << 20)
except MemoryError:
    print("caught")'`, ExecOptions{MemoryLimit: 64 << 20})
	if res.ExitCode != 0 || res.Stdout != "caught\n" || !res.MemoryExceeded {
		t.Fatalf("got %+v", res)
	}
}

func TestMemoryLimitBelowStart(t *testing.T) {
	_, err := testEngine.NewSandbox(SandboxConfig{MemoryLimit: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "needs to start") {
		t.Fatalf("got %v", err)
	}
}

func TestExecOutputCapped(t *testing.T) {
	res := run(t, `python3 -c 'import sys
for i in range(100000): print("x" * 99)
print("e" * 5000, file=sys.stderr)'`, ExecOptions{MaxOutput: 4096})
	if res.ExitCode != 0 || len(res.Stdout) != 4096 || !res.StdoutTruncated || len(res.Stderr) != 4096 || !res.StderrTruncated {
		t.Fatalf("got exit %d, %d bytes out (truncated %v), %d err (truncated %v)", res.ExitCode, len(res.Stdout), res.StdoutTruncated, len(res.Stderr), res.StderrTruncated)
	}
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
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "bytes refused") || !strings.Contains(res.Stdout, "files refused after") {
		t.Fatalf("got %+v", res)
	}
	if err := s.WriteFile("/tmp/more", make([]byte, 2<<20)); err == nil || !strings.Contains(err.Error(), "no space") {
		t.Fatalf("host write past the cap: %v", err)
	}
}

func TestExecStdinPipeStopsAtTimeout(t *testing.T) {
	r, w := io.Pipe() // nobody ever writes
	defer w.Close()
	start := time.Now()
	res := run(t, `python3 -c 'import sys; sys.stdin.read()'`, ExecOptions{Stdin: r, Timeout: 500 * time.Millisecond})
	if !res.TimedOut || res.ExitCode != ExitTimeout {
		t.Fatalf("got %+v", res)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("stopped after %v", took)
	}
}

func TestExecCrashIsAFailedProgram(t *testing.T) {
	// abort() in the guest is the wasm instruction unreachable: a trap,
	// reported as a crashed program.
	res := run(t, `python3 -c 'import faulthandler; faulthandler._sigabrt()'`, ExecOptions{Policy: &noPolicy})
	if res.ExitCode != ExitCrashed || res.Success || res.Stderr != "wasmbox: the program crashed: wasm error: unreachable\n" {
		t.Fatalf("got %+v", res)
	}
	// Recursion through C code (map calling f calling map) is stopped by
	// CPython 3.13's C recursion limit before it overflows the C stack.
	res = run(t, `python3 -c '
import sys
sys.setrecursionlimit(10**6)
def f(n): return list(map(f, [n + 1]))
f(0)'`, ExecOptions{})
	if res.ExitCode != 1 || !strings.HasSuffix(res.Stderr, "RecursionError: maximum recursion depth exceeded\n") {
		t.Fatalf("got %+v", res)
	}
}

func TestGuestSeesNoHost(t *testing.T) {
	os.Setenv("WASMBOX_SECRET", "leak")
	defer os.Unsetenv("WASMBOX_SECRET")
	for _, tc := range []struct{ name, code, want string }{
		{"host file", `open("/etc/passwd").read()`, "FileNotFoundError"},
		{"host dir", `import os; print(sorted(os.listdir("/")))`, "['tmp']"},
		{"traversal", `open("/../../etc/hostname").read()`, "PermissionError"},
		{"environment", `import os; print(dict(os.environ))`, "{}"},
		{"socket", `import socket; socket.create_connection(("127.0.0.1", 80), timeout=1)`, "Error"},
		{"subprocess", `import os; os.system("ls")`, "Error"},
	} {
		res := run(t, "python3 -c '"+tc.code+"'", ExecOptions{})
		if !strings.Contains(res.Stdout+res.Stderr, tc.want) || strings.Contains(res.Stdout+res.Stderr, "leak") {
			t.Errorf("%s: got exit %d stdout %q stderr %q", tc.name, res.ExitCode, res.Stdout, res.Stderr)
		}
	}
}

func TestExecEnvOnlyWhatCallerSets(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Env: map[string]string{"A": "1", "B": "2"}})
	res := execIn(t, s, `python3 -c 'import os; print(sorted(os.environ.items()))'`, ExecOptions{Env: map[string]string{"B": "3"}})
	if res.Stdout != "[('A', '1'), ('B', '3')]\n" {
		t.Fatalf("got %+v", res)
	}
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
			done := make(chan *ExecResult, 1)
			go func() {
				done <- run(t, "python3 -c '"+code+"'", ExecOptions{Timeout: 2 * time.Second})
			}()
			time.Sleep(200 * time.Millisecond)
			var slowest time.Duration
			for i := 0; i < 10; i++ {
				start := time.Now()
				goruntime.GC()
				slowest = max(slowest, time.Since(start))
				time.Sleep(50 * time.Millisecond)
			}
			if slowest > time.Second {
				t.Errorf("a garbage collection took %v while the guest spun", slowest)
			}
			select {
			case res := <-done:
				if !res.TimedOut || res.ExitCode != ExitTimeout {
					t.Fatalf("got %+v", res)
				}
			case <-time.After(time.Minute):
				t.Fatal("the spinning guest was not stopped")
			}
		})
	}
}
