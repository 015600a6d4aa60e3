package runtime

import (
	"context"
	"strings"
	"testing"
	"time"
)

// newPoolEngine returns an engine with a warm pool of size, closed at the
// end of the test. It loads the interpreter from the shared cache.
func newPoolEngine(t *testing.T, cfg PoolConfig) *Engine {
	t.Helper()
	e, err := NewEngine(context.Background(), EngineConfig{Pool: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// waitReady waits until the pool has n warm instances.
func waitReady(t *testing.T, e *Engine, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for e.Stats().WarmReady < n {
		if time.Now().After(deadline) {
			t.Fatalf("the pool never had %d warm instances: %+v", n, e.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func execOn(t *testing.T, e *Engine, cfg SandboxConfig, files map[string]string, command string, opts ExecOptions) *ExecResult {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	s, err := e.NewSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	for p, data := range files {
		if err := s.WriteFile(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Exec(context.Background(), command, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPoolRunsJobsWarm(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	waitReady(t, e, 1)
	res := execOn(t, e, SandboxConfig{Env: map[string]string{"GREETING": "hi"}}, map[string]string{"/tmp/in.txt": "data"},
		`python3 -c 'import os, sys; print(os.environ["GREETING"], sys.argv, open("/tmp/in.txt").read(), sys.stdin.read())' a1`,
		ExecOptions{Stdin: strings.NewReader("from stdin")})
	if res.ExitCode != 0 || res.Stdout != "hi ['-c', 'a1'] data from stdin\n" {
		t.Fatalf("got %+v", res)
	}
	if st := e.Stats(); st.WarmServed != 1 {
		t.Fatalf("the job did not run warm: %+v", st)
	}
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
	if first.Stdout != "mutated\n" {
		t.Fatalf("first job: %+v", first)
	}
	waitReady(t, e, 1)
	second := execOn(t, e, SandboxConfig{}, nil, `python3 -c '
import json, sys, os
print(json.dumps([1]), len("ab"), "planted" in sys.modules, os.path.exists("/tmp/left-behind"))'`, ExecOptions{})
	if second.Stdout != "[1] 2 False False\n" {
		t.Fatalf("second job saw the first's changes: %+v", second)
	}
	if st := e.Stats(); st.WarmServed != 2 {
		t.Fatalf("jobs did not run warm: %+v", st)
	}
}

func TestPoolLimitsBoundAtHandover(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	waitReady(t, e, 1)
	res := execOn(t, e, SandboxConfig{}, nil, `python3 -c 'while True: pass'`, ExecOptions{Timeout: 300 * time.Millisecond})
	if !res.TimedOut || res.ExitCode != ExitTimeout {
		t.Fatalf("timeout: %+v", res)
	}
	waitReady(t, e, 1)
	res = execOn(t, e, SandboxConfig{MemoryLimit: 48 << 20}, nil, `python3 -c 'x = bytearray(100 << 20)'`, ExecOptions{})
	if !res.MemoryExceeded || res.ExitCode != ExitMemory {
		t.Fatalf("memory: %+v", res)
	}
	waitReady(t, e, 1)
	res = execOn(t, e, SandboxConfig{}, nil, `python3 -c '__import__("o"+"s")'`, ExecOptions{Policy: policy(t, "strict")})
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "blocked by the wasmbox strict policy") {
		t.Fatalf("guard: %+v", res)
	}
	if st := e.Stats(); st.WarmServed != 3 {
		t.Fatalf("jobs did not run warm: %+v", st)
	}
}

func TestPoolEvalTester(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 2})
	waitReady(t, e, 2)
	tester, err := NewEvalTester(e, TesterConfig{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	code := "def evaluate(x):\n    while x == 'spin':\n        pass\n    return x\n"
	rep, err := tester.Test(context.Background(), []byte(code), testCases(t, `[{"input": 1, "expected": 1}, {"input": "spin"}, {"input": 3, "expected": 3}]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "pass,timeout,pass" {
		t.Fatalf("statuses %s", got)
	}
	if st := e.Stats(); st.WarmServed < 1 {
		t.Fatalf("the tester did not use the pool: %+v", st)
	}
}

func TestPoolShrinksWhenIdle(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1, IdleTimeout: 500 * time.Millisecond})
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st := e.Stats()
		if st.InstancesStarted > 0 && st.WarmReady == 0 && st.InstancesEnded == st.InstancesStarted {
			return // started, then let go
		}
		if time.Now().After(deadline) {
			t.Fatalf("the pool did not shrink: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A warm instance skips the interpreter's teardown; what a program can see
// of it must still happen.
func TestPoolExitLikePython(t *testing.T) {
	e := newPoolEngine(t, PoolConfig{Size: 1})
	for _, tc := range []struct {
		code   string
		exit   int
		stdout string
		stderr string
	}{
		{`import sys; sys.exit(3)`, 3, "", ""},
		{`import sys; sys.exit("bye")`, 1, "", "bye\n"},
		{`raise ValueError("boom")`, 1, "", "ValueError: boom\n"},
		{`import atexit; atexit.register(lambda: print("at exit")); print("main")`, 0, "main\nat exit\n", ""},
		{`import sys; sys.stdout.write("no newline, not flushed")`, 0, "no newline, not flushed", ""},
		{`f = open("/tmp/left-open", "w"); f.write("flushed at exit")`, 0, "", ""},
	} {
		waitReady(t, e, 1)
		s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
		if err != nil {
			t.Fatal(err)
		}
		res := execIn(t, s, "python3 -c '"+tc.code+"'", ExecOptions{})
		if res.ExitCode != tc.exit || res.Stdout != tc.stdout || !strings.HasSuffix(res.Stderr, tc.stderr) {
			t.Errorf("%s: exit %d stdout %q stderr %q", tc.code, res.ExitCode, res.Stdout, res.Stderr)
		}
		if strings.Contains(tc.code, "left-open") {
			if data, err := s.ReadFile("/tmp/left-open"); err != nil || string(data) != "flushed at exit" {
				t.Errorf("file left open: %q %v", data, err)
			}
		}
		s.Destroy()
	}
	if st := e.Stats(); st.WarmServed != 6 {
		t.Fatalf("jobs did not run warm: %+v", st)
	}
}
