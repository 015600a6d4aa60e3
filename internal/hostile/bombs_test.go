package hostile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

const procStatus = "/proc/self/status"

// rss returns this process's resident set size in bytes, from /proc.
func rss() (int64, error) {
	f, err := os.Open(procStatus)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in " + procStatus)
}

// peakRSS samples the RSS every few milliseconds until stop is called, and
// returns the highest sample above the RSS at the start. It skips the test
// without /proc; stop, called on the test's goroutine, fails it if a sample
// could not be read.
func peakRSS(t *testing.T) (stop func() int64) {
	if _, err := os.Stat(procStatus); err != nil {
		t.Skipf("no /proc: %v", err)
	}
	base, err := rss()
	require.NoError(t, err)
	var peak atomic.Int64
	peak.Store(base)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var sampleErr error // written by the sampler, read after wg.Wait
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			r, err := rss()
			if err != nil {
				sampleErr = err
				return
			}
			if r > peak.Load() {
				peak.Store(r)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		wg.Wait()
		require.NoError(t, sampleErr, "sampling the RSS")
		return peak.Load() - base
	}
}

// bomb is a program that tries to exhaust a resource, the limits it runs
// under, and what must stop it.
type bomb struct {
	name    string
	code    string
	args    []string
	stdin   func() io.Reader
	sandbox runtime.SandboxConfig
	// check asserts the limit that stopped the bomb.
	check func(t *testing.T, res *runtime.ExecResult)
	// within bounds the wall time of the whole run (generous: `make test`
	// runs packages side by side under the race detector).
	within time.Duration
	// hostBytes bounds how much the host process's RSS may grow during the
	// run.
	hostBytes int64
}

const (
	mib = 1 << 20
	// hostSlack is the RSS growth every bomb is allowed besides its own
	// limits: an interpreter instance's machine-code tables, the Go heap of
	// the run, and the race detector's shadow memory under `make test`.
	hostSlack = 256 * mib
)

func exits(code int, flags ...string) func(t *testing.T, res *runtime.ExecResult) {
	return func(t *testing.T, res *runtime.ExecResult) {
		t.Helper()
		got := map[string]bool{"timedOut": res.TimedOut, "memoryExceeded": res.MemoryExceeded, "stdoutTruncated": res.StdoutTruncated, "stderrTruncated": res.StderrTruncated}
		want := map[string]bool{"timedOut": false, "memoryExceeded": false, "stdoutTruncated": false, "stderrTruncated": false}
		for _, f := range flags {
			want[f] = true
		}
		assert.Equal(t, want, got, "the result's flags")
		assert.Equal(t, code, res.ExitCode, "exit code; stderr %q", tail(res.Stderr))
	}
}

func tail(s string) string {
	if len(s) > 200 {
		return "…" + s[len(s)-200:]
	}
	return s
}

// and combines checks.
func and(checks ...func(*testing.T, *runtime.ExecResult)) func(*testing.T, *runtime.ExecResult) {
	return func(t *testing.T, res *runtime.ExecResult) {
		t.Helper()
		for _, c := range checks {
			c(t, res)
		}
	}
}

func stdoutIs(want string) func(*testing.T, *runtime.ExecResult) {
	return func(t *testing.T, res *runtime.ExecResult) {
		t.Helper()
		assert.Equal(t, want, res.Stdout)
	}
}

func stderrEnds(want string) func(*testing.T, *runtime.ExecResult) {
	return func(t *testing.T, res *runtime.ExecResult) {
		t.Helper()
		assert.Equal(t, want, lastLine(res.Stderr), "the last line of stderr")
	}
}

func outputCapped(which string, max int) func(*testing.T, *runtime.ExecResult) {
	return func(t *testing.T, res *runtime.ExecResult) {
		t.Helper()
		out := res.Stdout
		if which == "stderr" {
			out = res.Stderr
		}
		assert.Equal(t, max, len(out), "%s kept this many bytes, want the cap", which)
	}
}

var bombs = []bomb{
	{
		name: "cpu-spin", code: "while True:\n    pass\n",
		sandbox: runtime.SandboxConfig{Timeout: time.Second},
		check:   exits(runtime.ExitTimeout, "timedOut"), within: 15 * time.Second, hostBytes: hostSlack,
	},
	{
		// A loop in C that never returns to the bytecode loop: the stop
		// check at the top of every wasm loop ends it all the same.
		name: "cpu-spin-c", code: "print(sum(range(10**15)))\n",
		sandbox: runtime.SandboxConfig{Timeout: time.Second},
		check:   and(exits(runtime.ExitTimeout, "timedOut"), stdoutIs("")), within: 15 * time.Second, hostBytes: hostSlack,
	},
	{
		// Swallows every exception, KeyboardInterrupt and SystemExit
		// included: the timeout does not go through Python.
		name: "cpu-spin-swallowing", code: `
import signal
try:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
except BaseException:
    pass
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
    finally:
        continue
`,
		sandbox: runtime.SandboxConfig{Timeout: time.Second},
		check:   exits(runtime.ExitTimeout, "timedOut"), within: 15 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "sleep", code: "import time\ntime.sleep(3600)\n",
		sandbox: runtime.SandboxConfig{Timeout: time.Second},
		check:   exits(runtime.ExitTimeout, "timedOut"), within: 15 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "stdin-never-closes", code: "import sys\nsys.stdin.read()\n",
		stdin:   func() io.Reader { r, _ := io.Pipe(); return r },
		sandbox: runtime.SandboxConfig{Timeout: time.Second},
		check:   exits(runtime.ExitTimeout, "timedOut"), within: 15 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "memory-growth", code: "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n",
		sandbox: runtime.SandboxConfig{MemoryLimit: 64 * mib},
		check:   and(exits(runtime.ExitMemory, "memoryExceeded"), stderrEnds("MemoryError")), within: 30 * time.Second, hostBytes: 64*mib + hostSlack,
	},
	{
		// Catches every MemoryError and asks again: the memory stays
		// capped, and the guest is stopped with 137 once its grows have
		// been refused for runtime.MemoryGrace.
		name: "memory-growth-swallowing", code: `
a = []
while True:
    try:
        a.append(bytearray(1 << 20))
    except MemoryError:
        pass
`,
		// The timeout leaves time to reach the limit even on a loaded
		// machine (the interpreter's start counts against it).
		sandbox: runtime.SandboxConfig{MemoryLimit: 32 * mib, Timeout: 5 * time.Second},
		check:   exits(runtime.ExitMemory, "memoryExceeded"), within: 30 * time.Second, hostBytes: 32*mib + hostSlack,
	},
	{
		name: "huge-allocation", code: "b = bytearray(1 << 30)\n",
		sandbox: runtime.SandboxConfig{MemoryLimit: 64 * mib},
		check:   and(exits(runtime.ExitMemory, "memoryExceeded"), stderrEnds("MemoryError")), within: 30 * time.Second, hostBytes: 64*mib + hostSlack,
	},
	{
		name: "deep-recursion-python", code: "def f(n):\n    return f(n + 1)\nf(0)\n",
		check:  and(exits(1), stderrEnds("RecursionError: maximum recursion depth exceeded")),
		within: 30 * time.Second, hostBytes: hostSlack,
	},
	{
		// Recursion through C code: CPython 3.13 counts C recursion
		// separately from sys.setrecursionlimit and stops it well before
		// the guest's C stack overflows (which would be a trap, exit 134).
		name: "deep-recursion-c", code: "import sys\nsys.setrecursionlimit(10**6)\ndef f(n): return list(map(f, [n + 1]))\nf(0)\n",
		check:  and(exits(1), stderrEnds("RecursionError: maximum recursion depth exceeded")),
		within: 30 * time.Second, hostBytes: runtime.DefaultMemoryLimit + hostSlack,
	},
	{
		// abort() in the guest is the wasm instruction unreachable: a trap
		// that ends the instance, not the host.
		name: "abort", code: "import faulthandler\nfaulthandler._sigabrt()\n",
		check:  and(exits(runtime.ExitCrashed), stderrEnds("wasmbox: the program crashed: wasm error: unreachable")),
		within: 30 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "stdout-flood", code: "import sys\nchunk = 'x' * 65536\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n",
		check:  and(exits(0, "stdoutTruncated"), outputCapped("stdout", runtime.DefaultMaxOutput)),
		within: 60 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "stderr-flood", code: "import sys\nchunk = 'x' * 65536\nfor _ in range(1024):\n    sys.stderr.write(chunk)\n",
		check:  and(exits(0, "stderrTruncated"), outputCapped("stderr", runtime.DefaultMaxOutput)),
		within: 60 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "endless-print", code: "while True:\n    print('y' * 1000)\n",
		sandbox: runtime.SandboxConfig{Timeout: 5 * time.Second, MaxOutput: 64 << 10},
		check:   and(exits(runtime.ExitTimeout, "timedOut", "stdoutTruncated"), outputCapped("stdout", 64<<10)),
		within:  20 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "huge-single-stdout-write", code: "import sys\nsys.stdout.buffer.write(b'z' * (128 << 20))\n",
		sandbox: runtime.SandboxConfig{MemoryLimit: 256 * mib},
		check:   and(exits(0, "stdoutTruncated"), outputCapped("stdout", runtime.DefaultMaxOutput)),
		within:  60 * time.Second, hostBytes: 256*mib + hostSlack,
	},
	{
		name: "fs-bytes-flood", code: `
total = 0
with open("/tmp/flood", "wb", buffering=0) as f:
    try:
        while True:
            total += f.write(b"x" * (1 << 20))
    except OSError as e:
        print(type(e).__name__, e.errno, total)
`,
		sandbox: runtime.SandboxConfig{MaxFSBytes: 16 * mib},
		// The script itself takes some of the 16 MiB, so 15 whole MiB fit.
		check:  and(exits(0), stdoutIs(fmt.Sprintf("OSError 51 %d\n", 15*mib))),
		within: 30 * time.Second, hostBytes: 16*mib + hostSlack,
	},
	{
		name: "fs-count-flood", code: `
import os
n = 0
try:
    while True:
        open("/tmp/f%d" % n, "w").close()
        n += 1
except OSError as e:
    print(type(e).__name__, e.errno, n)
try:
    os.mkdir("/tmp/d")
except OSError as e:
    print(type(e).__name__, e.errno)
`,
		sandbox: runtime.SandboxConfig{MaxFiles: 512},
		// /tmp and the script are 2 of the 512 entries.
		check:  and(exits(0), stdoutIs("OSError 51 510\nOSError 51\n")),
		within: 30 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "huge-single-file-write", code: `
try:
    open("/tmp/big", "wb", buffering=0).write(b"x" * (128 << 20))
except OSError as e:
    print(type(e).__name__, e.errno)
`,
		// One write of twice the filesystem's 64 MiB.
		sandbox: runtime.SandboxConfig{MemoryLimit: 256 * mib},
		check:   and(exits(0), stdoutIs("OSError 51\n")),
		within:  60 * time.Second, hostBytes: 256*mib + hostSlack,
	},
	{
		name: "many-tiny-files", code: `
import os
for i in range(4000):
    with open("/tmp/t%d" % i, "w") as f:
        f.write("x")
print(len(os.listdir("/tmp")), sum(os.path.getsize("/tmp/" + n) for n in os.listdir("/tmp") if n.startswith("t")))
`,
		check:  and(exits(0), stdoutIs("4001 4000\n")),
		within: 60 * time.Second, hostBytes: hostSlack,
	},
	{
		name: "huge-argv", code: "import sys\nprint(len(sys.argv), sum(map(len, sys.argv[1:])))\n",
		// 16 MiB of arguments reach a snapshot's copy as one JSON line
		// on stdin and fit its 128 MiB as Python strings.
		args: hugeArgv(),
		// The host holds the argv too (Go strings, the JSON line): twice
		// the usual slack.
		check:  and(exits(0), stdoutIs("4097 16777216\n")),
		within: 60 * time.Second, hostBytes: runtime.DefaultMemoryLimit + 2*hostSlack,
	},
	{
		name: "huge-stdin", code: "import sys\nprint(len(sys.stdin.buffer.read()))\n",
		stdin:   func() io.Reader { return bytes.NewReader(bytes.Repeat([]byte("s"), 64*mib)) },
		sandbox: runtime.SandboxConfig{MemoryLimit: 512 * mib},
		check:   and(exits(0), stdoutIs(fmt.Sprintf("%d\n", 64*mib))),
		within:  60 * time.Second, hostBytes: 512*mib + hostSlack,
	},
	{
		// 16 MiB of source: within the sandbox's file cap, and compiled
		// within the memory limit or stopped by it.
		name: "giant-source", code: strings.Repeat("x = 1\n", (16*mib-64)/6) + "print('compiled')\n",
		sandbox: runtime.SandboxConfig{MaxFSBytes: 32 * mib, MemoryLimit: 64 * mib},
		check:   and(exits(runtime.ExitMemory, "memoryExceeded"), stderrEnds("MemoryError")),
		within:  60 * time.Second, hostBytes: 64*mib + hostSlack,
	},
}

func hugeArgv() []string {
	args := make([]string, 4096)
	for i := range args {
		args[i] = strings.Repeat("a", 4096)
	}
	return args
}

func TestBombs(t *testing.T) { runBombs(t, bombs) }

// runBombs runs each bomb in its own subtest and checks its outcome, its
// wall time and the host's RSS growth.
func runBombs(t *testing.T, bombs []bomb) {
	probe := os.Getenv("HOSTILE_PROBE") != ""
	for _, b := range bombs {
		t.Run(b.name, func(t *testing.T) {
			var opts runtime.ExecOptions
			if b.stdin != nil {
				opts.Stdin = b.stdin()
			}
			stop := peakRSS(t)
			start := time.Now()
			res := runNone(t, b.code, b.args, b.sandbox, opts)
			took := time.Since(start)
			grew := stop()
			t.Logf("contained: exit %d timedOut=%v memoryExceeded=%v truncated=%v/%v in %v; host RSS +%d MiB (bound %d MiB)",
				res.ExitCode, res.TimedOut, res.MemoryExceeded, res.StdoutTruncated, res.StderrTruncated, took.Round(time.Millisecond), grew>>20, b.hostBytes>>20)
			if probe {
				fmt.Printf("PROBE %s exit=%d to=%v mem=%v trunc=%v/%v took=%v rss=%dMiB stdout=%q stderr=%q\n", b.name, res.ExitCode, res.TimedOut, res.MemoryExceeded, res.StdoutTruncated, res.StderrTruncated, took, grew>>20, tail(res.Stdout), tail(lastLine(res.Stderr)))
				return
			}
			b.check(t, res)
			assert.LessOrEqual(t, took, b.within, "wall time")
			assert.LessOrEqual(t, grew, b.hostBytes, "host RSS grew by %d MiB; the bound is %d MiB", grew>>20, b.hostBytes>>20)
		})
	}
}

// TestHostAPIFileFlood floods a sandbox with tiny files through the host
// API, as a session's file route does: the entry cap stops it with
// ErrNoSpace, and the files that fit are all there.
func TestHostAPIFileFlood(t *testing.T) {
	sb, err := engine.NewSandbox(runtime.SandboxConfig{MaxFiles: 1000})
	require.NoError(t, err)
	defer sb.Destroy()
	n := 0
	for ; n < 5000; n++ {
		if err := sb.WriteFile(fmt.Sprintf("/tmp/f%d", n), []byte{'x'}); err != nil {
			require.ErrorIs(t, err, runtime.ErrNoSpace, "file %d", n)
			break
		}
	}
	// /tmp is one of the 1000 entries.
	assert.Equal(t, 999, n, "files that fit")
	files, err := sb.ListFiles("/tmp")
	require.NoError(t, err)
	assert.Len(t, files, 999)
}
