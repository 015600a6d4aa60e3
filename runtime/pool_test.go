package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newPoolEngine returns an engine with a warm pool of size, closed at the
// end of the test. It loads the interpreter from the shared cache.
func newPoolEngine(t *testing.T, cfg PoolConfig) *Engine {
	t.Helper()
	e, err := NewEngine(context.Background(), EngineConfig{Pool: cfg})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// waitReady waits until the pool has n warm instances.
func waitReady(t testing.TB, e *Engine, n int) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		st := e.Stats()
		assert.GreaterOrEqual(c, st.WarmReady, n, "warm instances: %+v", st)
	}, 2*time.Minute, 20*time.Millisecond, "the pool never had %d warm instances", n)
}

func execOn(t *testing.T, e *Engine, cfg SandboxConfig, files map[string]string, command string, opts ExecOptions) *ExecResult {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	s, err := e.NewSandbox(cfg)
	require.NoError(t, err)
	defer s.Destroy()
	for p, data := range files {
		require.NoError(t, s.WriteFile(p, []byte(data)))
	}
	res, err := s.Exec(context.Background(), command, opts)
	require.NoError(t, err)
	return res
}

func TestPoolRunsJobsWarm(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	waitReady(t, e, 1)
	res := execOn(t, e, SandboxConfig{Env: map[string]string{"GREETING": "hi"}}, map[string]string{"/tmp/in.txt": "data"},
		`python3 -c 'import os, sys; print(os.environ["GREETING"], sys.argv, open("/tmp/in.txt").read(), sys.stdin.read())' a1`,
		ExecOptions{Stdin: strings.NewReader("from stdin")})
	assertRan(t, 0, "hi ['-c', 'a1'] data from stdin\n", res)
	assert.Equal(t, int64(1), e.Stats().WarmServed, "jobs run warm")
}

// Each warm instance serves one job: what a job changes in the interpreter
// or its filesystem is not there for the next.
func TestPoolJobsShareNothing(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 2})
	waitReady(t, e, 2)
	first := execOn(t, e, SandboxConfig{}, nil, `python3 -c '
import json, builtins, sys
json.dumps = lambda *a: "tampered"
builtins.len = lambda x: -1
sys.modules["planted"] = json
open("/tmp/left-behind", "w").write("x")
print("mutated")'`, ExecOptions{})
	require.Equal(t, "mutated\n", first.Stdout, "first job; stderr %q", first.Stderr)
	waitReady(t, e, 1)
	second := execOn(t, e, SandboxConfig{}, nil, `python3 -c '
import json, sys, os
print(json.dumps([1]), len("ab"), "planted" in sys.modules, os.path.exists("/tmp/left-behind"))'`, ExecOptions{})
	assert.Equal(t, "[1] 2 False False\n", second.Stdout, "the second job saw the first's changes; stderr %q", second.Stderr)
	assert.Equal(t, int64(2), e.Stats().WarmServed, "jobs run warm")
}

func TestPoolLimitsBoundAtHandover(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	waitReady(t, e, 1)
	res := execOn(t, e, SandboxConfig{}, nil, `python3 -c 'while True: pass'`, ExecOptions{Timeout: 300 * time.Millisecond})
	assert.True(t, res.TimedOut, "TimedOut")
	assert.Equal(t, ExitTimeout, res.ExitCode, "timeout")
	waitReady(t, e, 1)
	res = execOn(t, e, SandboxConfig{MemoryLimit: 48 << 20}, nil, `python3 -c 'x = bytearray(100 << 20)'`, ExecOptions{})
	assert.True(t, res.MemoryExceeded, "MemoryExceeded")
	assert.Equal(t, ExitMemory, res.ExitCode, "memory")
	waitReady(t, e, 1)
	res = execOn(t, e, SandboxConfig{}, nil, `python3 -c '__import__("o"+"s")'`, ExecOptions{Policy: policy(t, "strict")})
	assert.Equal(t, 1, res.ExitCode, "guard")
	assert.Contains(t, res.Stderr, "blocked by the wasmbox strict policy")
	assert.Equal(t, int64(3), e.Stats().WarmServed, "jobs run warm")
}

func TestPoolEvalTester(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 2})
	waitReady(t, e, 2)
	tester, err := NewEvalTester(e, TesterConfig{Timeout: 2 * time.Second})
	require.NoError(t, err)
	code := "def evaluate(x):\n    while x == 'spin':\n        pass\n    return x\n"
	rep, err := tester.Test(context.Background(), []byte(code), testCases(t, `[{"input": 1, "expected": 1}, {"input": "spin"}, {"input": 3, "expected": 3}]`))
	require.NoError(t, err)
	assert.Equal(t, "pass,timeout,pass", statuses(rep))
	assert.GreaterOrEqual(t, e.Stats().WarmServed, int64(1), "the tester did not use the pool")
}

func TestPoolShrinksWhenIdle(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1, IdleTimeout: 500 * time.Millisecond})
	// Started, then let go.
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		st := e.Stats()
		assert.Positive(c, st.InstancesStarted, "instances started: %+v", st)
		assert.Zero(c, st.WarmReady, "warm instances: %+v", st)
		assert.Equal(c, st.InstancesStarted, st.InstancesEnded, "instances ended: %+v", st)
	}, 2*time.Minute, 50*time.Millisecond, "the pool did not shrink")
}

// A warm instance skips the interpreter's teardown; what a program can see
// of it must still happen.
func TestPoolExitLikePython(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	for _, tc := range []struct {
		name   string
		code   string
		exit   int
		stdout string
		stderr string
	}{
		{"exit code", `import sys; sys.exit(3)`, 3, "", ""},
		{"exit message", `import sys; sys.exit("bye")`, 1, "", "bye\n"},
		{"exception", `raise ValueError("boom")`, 1, "", "ValueError: boom\n"},
		{"atexit", `import atexit; atexit.register(lambda: print("at exit")); print("main")`, 0, "main\nat exit\n", ""},
		{"unflushed stdout", `import sys; sys.stdout.write("no newline, not flushed")`, 0, "no newline, not flushed", ""},
		{"file left open", `f = open("/tmp/left-open", "w"); f.write("flushed at exit")`, 0, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			waitReady(t, e, 1)
			s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
			require.NoError(t, err)
			defer s.Destroy()
			res := execIn(t, s, "python3 -c '"+tc.code+"'", ExecOptions{})
			assertRan(t, tc.exit, tc.stdout, res)
			assert.True(t, strings.HasSuffix(res.Stderr, tc.stderr), "stderr %q, want it to end %q", res.Stderr, tc.stderr)
			if strings.Contains(tc.code, "left-open") {
				data, err := s.ReadFile("/tmp/left-open")
				assert.NoError(t, err)
				assert.Equal(t, "flushed at exit", string(data))
			}
		})
	}
	assert.Equal(t, int64(6), e.Stats().WarmServed, "jobs run warm")
}
