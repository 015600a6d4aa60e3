package shell

import (
	"bufio"
	"context"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shell bombs end within the command line's limits. Each test logs the
// time the command line took and the process's peak RSS (VmHWM), the
// figures SECURITY.md quotes.

func logFigures(t *testing.T, start time.Time) {
	t.Helper()
	t.Logf("ended after %v; goroutines now %d; peak RSS %s", time.Since(start).Round(time.Millisecond), runtime.NumGoroutine(), peakRSS())
}

// peakRSS reads the process's peak resident set size from /proc.
func peakRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// runFor runs script under a timeout.
func (s *sandbox) runFor(timeout time.Duration, script string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var out, errb strings.Builder
	status, err := Run(ctx, Config{FS: s.root2fs(), Stdout: &out, Stderr: &errb, Commands: s.cmds}, script, "sh")
	return result{status: status, err: err, stdout: out.String(), stderr: errb.String()}
}

func TestLimitForkBomb(t *testing.T) {
	s := newSandbox(t)
	base := runtime.NumGoroutine()
	start := time.Now()
	// Run in the foreground: the bomb's first call waits on its pipeline,
	// so the command line lasts until the bomb is stopped.
	res := s.runFor(30*time.Second, `:(){ :|: ; }; :`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooManyJobs)
	assert.Equal(t, 2, res.status)
	assert.Contains(t, res.stderr, "too many concurrent jobs")
	require.Eventually(t, func() bool { return runtime.NumGoroutine() < base+10 }, 10*time.Second, 10*time.Millisecond,
		"the bomb's goroutines end")
}

func TestLimitBackgroundForkBomb(t *testing.T) {
	s := newSandbox(t)
	base := runtime.NumGoroutine()
	start := time.Now()
	// The command line goes on after starting the bomb, which grows in the
	// background until the limit stops both.
	res := s.runFor(30*time.Second, `:(){ :|:& }; :; while :; do :; done`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooManyJobs)
	assert.Equal(t, 2, res.status)
	require.Eventually(t, func() bool { return runtime.NumGoroutine() < base+10 }, 10*time.Second, 10*time.Millisecond,
		"the bomb's goroutines end")
}

func TestLimitInfiniteLoopTimesOut(t *testing.T) {
	s := newSandbox(t)
	start := time.Now()
	res := s.runFor(500*time.Millisecond, `while true; do :; done`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, context.DeadlineExceeded)
	assert.Equal(t, exitCanceled, res.status)
}

func TestLimitDeepRecursion(t *testing.T) {
	s := newSandbox(t)
	start := time.Now()
	res := s.runFor(30*time.Second, `f() { f; }; f`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooDeep)
	assert.Equal(t, 2, res.status)
	assert.Contains(t, res.stderr, "maximum nesting depth exceeded")
}

func TestLimitRecursionDepthAllowsReasonableScripts(t *testing.T) {
	s := newSandbox(t)
	res := s.runFor(30*time.Second, `f() { if [ "$1" -gt 0 ]; then f $(($1 - 1)); else echo bottom; fi; }; f 200`)
	assert.NoError(t, res.err)
	assert.Equal(t, "bottom\n", res.stdout, res.stderr)
}

func TestLimitRecursiveScript(t *testing.T) {
	s := newSandbox(t)
	s.write("self.sh", "#!/bin/sh\n/self.sh\n", 0o755)
	start := time.Now()
	res := s.runFor(30*time.Second, `/self.sh`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooDeep)
}

func TestLimitHugeScript(t *testing.T) {
	s := newSandbox(t)
	script := "upper <<EOF\n" + strings.Repeat("x", MaxScript) + "\nEOF\n"
	res := s.runFor(30*time.Second, script)
	assert.Equal(t, 2, res.status)
	assert.Contains(t, res.stderr, "over the 32 MiB limit")
	assert.Empty(t, res.stdout)
}

func TestLimitCommandSubstitutionCapped(t *testing.T) {
	s := newSandbox(t)
	s.cmds["flood"] = func(ctx context.Context, inv *Invocation) int {
		chunk := []byte(strings.Repeat("y\n", 32<<10))
		for ctx.Err() == nil {
			if _, err := inv.Stdout.Write(chunk); err != nil {
				io.WriteString(inv.Stderr, "flood: "+err.Error()+"\n")
				return 1
			}
		}
		return 130
	}
	start := time.Now()
	res := s.runFor(30*time.Second, `x=$(flood); echo ${#x}`)
	logFigures(t, start)
	assert.Equal(t, "16777215\n", res.stdout, "16 MiB of y and newline, the last newline dropped")
	assert.Contains(t, res.stderr, "command substitution output over the 16 MiB limit")
}

func TestLimitTimeoutStopsEveryStage(t *testing.T) {
	s := newSandbox(t)
	stopped := make(chan string, 3)
	s.cmds["block"] = func(ctx context.Context, inv *Invocation) int {
		<-ctx.Done()
		stopped <- inv.Args[1]
		return 130
	}
	start := time.Now()
	res := s.runFor(300*time.Millisecond, `block a | block b | block c`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, context.DeadlineExceeded)
	got := []string{<-stopped, <-stopped, <-stopped}
	assert.ElementsMatch(t, []string{"a", "b", "c"}, got)
}

func TestLimitShellMemory(t *testing.T) {
	// At MaxHeapGrowth (256 MiB) this ends after about 10 s with a peak RSS
	// of 450 MB (the interpreter builds a string slowly); 64 MiB keeps the
	// test short.
	heapGrowthLimit = 64 << 20
	t.Cleanup(func() { heapGrowthLimit = MaxHeapGrowth })
	s := newSandbox(t)
	start := time.Now()
	res := s.runFor(30*time.Second, `x=aaaaaaaa; while :; do x=$x$x; done`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooMuchMemory)
	assert.Equal(t, 2, res.status)
}

func TestLimitShellMemoryLeavesHostWorkOut(t *testing.T) {
	// The host growing its heap for its own work (an engine compiling a
	// module for a python3 command) does not stop the command line.
	heapGrowthLimit = 16 << 20
	t.Cleanup(func() { heapGrowthLimit = MaxHeapGrowth })
	var held [][]byte
	s := newSandbox(t)
	s.cmds["compile"] = func(ctx context.Context, inv *Invocation) int {
		HostWork(func() {
			for range 8 {
				held = append(held, make([]byte, 8<<20))
				time.Sleep(2 * heapTick)
			}
		})
		return 0
	}
	res := s.runFor(30*time.Second, `compile; sleep 0.05; echo done`)
	require.NoError(t, res.err)
	assert.Equal(t, 0, res.status)
	assert.Equal(t, "done\n", res.stdout)
	assert.Len(t, held, 8)
}

func TestLimitUnreadStdinReleased(t *testing.T) {
	// A command line that never reads its input leaves no goroutine behind
	// copying it, in the command line or in a nested shell.
	s := newSandbox(t)
	s.write("big", strings.Repeat("x", 1<<20), 0o644)
	base := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status, err := Run(ctx, Config{FS: s.root2fs(), Stdin: strings.NewReader(strings.Repeat("y", 1<<20)), Commands: s.cmds},
		`echo top; sh -c 'echo nested' < /big`, "sh")
	require.NoError(t, err)
	assert.Equal(t, 0, status)
	// Eventually runs the condition on a goroutine of its own.
	assert.Eventually(t, func() bool { return runtime.NumGoroutine() <= base+1 }, 5*time.Second, 10*time.Millisecond)
}

func TestLimitJobsCountOnlyTheirOwn(t *testing.T) {
	// Goroutines of the rest of the process (a busy server's connections)
	// do not count against a command line's jobs.
	release := make(chan struct{})
	for range 2 * MaxJobs {
		go func() { <-release }()
	}
	defer close(release)
	s := newSandbox(t)
	res := s.runFor(30*time.Second, `echo a | upper | upper; (echo b) & wait`)
	require.NoError(t, res.err)
	assert.Equal(t, "A\nb\n", res.stdout, res.stderr)
	start := time.Now()
	res = s.runFor(30*time.Second, `:(){ :|: ; }; :`)
	logFigures(t, start)
	assert.ErrorIs(t, res.err, ErrTooManyJobs, "the bomb's own goroutines still count")
}
