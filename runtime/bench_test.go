package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Compiling the interpreter without a cache: what the first run on a
// machine pays.
func BenchmarkEngineCompile(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		e, err := NewEngine(ctx, EngineConfig{NoCache: true})
		require.NoError(b, err)
		e.Close(ctx)
	}
}

// Loading the compiled interpreter from the on-disk cache: what every later
// process pays.
func BenchmarkEngineFromCache(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	e, err := NewEngine(ctx, EngineConfig{CacheDir: dir})
	require.NoError(b, err)
	e.Close(ctx)
	for b.Loop() {
		e, err := NewEngine(ctx, EngineConfig{CacheDir: dir})
		require.NoError(b, err)
		e.Close(ctx)
	}
}

// One fresh Exec, with and without the guard.
func BenchmarkExec(b *testing.B) {
	for _, bc := range []struct {
		name, code string
		policy     string
	}{
		{"pass", "pass", "none"},
		{"imports", "import json, re, typing", "none"},
		{"imports-guarded", "import json, re, typing", "strict"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
			require.NoError(b, err)
			defer s.Destroy()
			p := policy(b, bc.policy)
			for b.Loop() {
				res, err := s.Exec(context.Background(), "python3 -c '"+bc.code+"'", ExecOptions{Policy: p})
				require.NoError(b, err)
				require.Equal(b, 0, res.ExitCode, "stderr %q", res.Stderr)
			}
		})
	}
}

// One Exec of `import json, re, typing` under the strict guard in a warm
// instance from the pool (refilled between runs, outside the timer).
func BenchmarkExecWarm(b *testing.B) {
	e, err := NewEngine(context.Background(), EngineConfig{Pool: PoolConfig{Size: 1}})
	require.NoError(b, err)
	defer e.Close(context.Background())
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	defer s.Destroy()
	p := policy(b, "strict")
	for b.Loop() {
		b.StopTimer()
		waitReady(b, e, 1)
		b.StartTimer()
		res, err := s.Exec(context.Background(), "python3 -c 'import json, re, typing'", ExecOptions{Policy: p})
		require.NoError(b, err)
		require.Equal(b, 0, res.ExitCode, "stderr %q", res.Stderr)
	}
	st := e.Stats()
	require.NotZero(b, st.WarmServed, "no job ran warm: %+v", st)
}

// The eval tester on 100 cases: all in one instance, against one fresh
// instance (a whole Test call) per case.
func BenchmarkEvalTester100(b *testing.B) {
	code := []byte("import re\ndef evaluate(s):\n    return len(re.findall(r'\\w+', s))\n")
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, fmt.Sprintf(`{"input": "%s", "expected": %d}`, strings.Repeat("word ", i%10), i%10))
	}
	cases := testCases(b, strings.Join(lines, "\n"))
	tester, err := NewEvalTester(testEngine, TesterConfig{Timeout: testTimeout})
	require.NoError(b, err)
	b.Run("one-instance", func(b *testing.B) {
		for b.Loop() {
			rep, err := tester.Test(context.Background(), code, cases)
			require.NoError(b, err)
			require.Equal(b, 100, rep.Passed, "%+v", rep)
		}
	})
	b.Run("instance-per-case", func(b *testing.B) {
		for b.Loop() {
			for i := range cases {
				rep, err := tester.Test(context.Background(), code, cases[i:i+1])
				require.NoError(b, err)
				require.Equal(b, 1, rep.Passed, "%+v", rep)
			}
		}
	})
}
