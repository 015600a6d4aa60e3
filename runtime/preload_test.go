package runtime

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

// testPreload is the preload set of the tests' engines: a standard-library
// module the base snapshot does not import, and the stdlib policy allows.
var testPreload = []string{"statistics"}

// newPreloadEngine returns an engine whose preload set is mods, closed at
// the end of the test. It shares the compilation cache with testEngine.
func newPreloadEngine(t testing.TB, mods []string, cfg EngineConfig) *Engine {
	t.Helper()
	cfg.preload = mods
	e, err := NewEngine(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

// runCode runs code with PythonRunner on e under policy and returns the
// result.
func runCode(t testing.TB, e *Engine, policy string, code string, opts ExecOptions) *ExecResult {
	t.Helper()
	p, err := validate.PolicyByName(policy)
	require.NoError(t, err)
	r, err := NewPythonRunner(e, RunnerConfig{Policy: &p, Sandbox: SandboxConfig{Timeout: testTimeout}})
	require.NoError(t, err)
	res, err := r.Run(context.Background(), []byte(code), nil, opts)
	require.NoError(t, err)
	return res
}

// loadedBefore prints whether statistics is loaded before the code's own
// import of it, then uses it.
const loadedBefore = `import sys
print("statistics" in sys.modules)
import statistics
print(statistics.median([3, 1, 2]))
`

func TestPreloadChosenByImports(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	for _, tc := range []struct {
		name, policy, code string
		preloaded          bool
		stdout             string
	}{
		{"imports it", "none", loadedBefore, true, "True\n2\n"},
		{"imports it in code never run", "none", "import sys\nprint('statistics' in sys.modules)\nif False:\n    from statistics import median\n", true, "True\n"},
		{"imports something else", "none", "import sys, json\nprint('statistics' in sys.modules)\n", false, "False\n"},
		{"imports it by name at run time", "none", "import sys\nprint('statistics' in sys.modules)\nprint(__import__('statistics').median([3, 1, 2]))\n", false, "False\n2\n"},
		{"a policy that allows it", "stdlib", "import statistics\nprint(statistics.mean([1, 2, 3, 4]))\n", true, "2.5\n"},
		{"a policy that allows something else", "stdlib", "import json\nprint(json.dumps([1]))\n", false, "[1]\n"},
		// Past maxScannedBytes the source is not tokenized: its bytes naming
		// a module of the set choose the variant.
		{"too big to scan, naming it", "none", "import sys\nprint('statistics' in sys.modules)\n" + strings.Repeat("x = 1\n", maxScannedBytes/6) + "import statistics\n", true, "True\n"},
		{"too big to scan, not naming it", "none", "import sys\nprint('stat' + 'istics' in sys.modules)\n" + strings.Repeat("x = 1\n", maxScannedBytes/6), false, "False\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.Stats().Preloaded
			res := runCode(t, e, tc.policy, tc.code, ExecOptions{})
			assertRan(t, 0, tc.stdout, res)
			assert.Equal(t, tc.preloaded, e.Stats().Preloaded > before, "started from the preloaded snapshot")
		})
	}
}

func TestPreloadMadeBeforeTheCommandsTime(t *testing.T) {
	// Making the variant (its snapshot taken here; on a new machine its
	// module compiled too, for seconds) is host set-up: a python3 command
	// line with a short timeout that needs it still runs, alone or within
	// a longer line.
	for name, line := range map[string]string{
		"alone":            QuoteCommand([]string{"python3", "-c", loadedBefore}),
		"in a longer line": "cd /tmp && " + QuoteCommand([]string{"python3", "-c", loadedBefore}),
	} {
		t.Run(name, func(t *testing.T) {
			e := newPreloadEngine(t, testPreload, EngineConfig{})
			s, err := e.NewSandbox(SandboxConfig{Timeout: 100 * time.Millisecond})
			require.NoError(t, err)
			defer s.Destroy()
			res, err := s.Exec(context.Background(), line, ExecOptions{})
			require.NoError(t, err)
			assertRan(t, 0, "True\n2\n", res)
		})
	}
}

func TestPreloadPolicyMustAllowTheSet(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	strict, err := validate.PolicyByName("strict")
	require.NoError(t, err)
	allowing, err := strict.WithAllowedImports("statistics")
	require.NoError(t, err)
	stdlib, err := validate.PolicyByName("stdlib")
	require.NoError(t, err)
	code := []byte("import statistics\n")
	for _, tc := range []struct {
		name   string
		policy *validate.Policy
		want   bool
	}{
		{"none", nil, true},
		{"stdlib", &stdlib, true},
		{"strict", &strict, false},
		{"strict allowing it", &allowing, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, e.wantsPreload(code, tc.policy))
		})
	}
}

func TestPreloadShellAndTester(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(t, err)
	t.Cleanup(func() { s.Destroy() })
	require.NoError(t, s.WriteFile("/work/stats.py", []byte(loadedBefore)))

	t.Run("a file run by the shell", func(t *testing.T) {
		before := e.Stats().Preloaded
		res, err := s.Exec(context.Background(), "cd /work && python3 stats.py", ExecOptions{})
		require.NoError(t, err)
		assertRan(t, 0, "True\n2\n", res)
		assert.Equal(t, before+1, e.Stats().Preloaded)
	})
	t.Run("a module of the program's own imports it", func(t *testing.T) {
		require.NoError(t, s.WriteFile("/work/app/helper/__init__.py", []byte("from statistics import median\n")))
		require.NoError(t, s.WriteFile("/work/app/util.py", []byte("import helper\n")))
		require.NoError(t, s.WriteFile("/work/app/main.py", []byte("import sys\nprint('statistics' in sys.modules)\nimport util\nprint(util.helper.median([1, 3, 2]))\n")))
		for _, command := range []string{"python3 /work/app/main.py", "cd /work/app && python3 -c 'import sys; print(\"statistics\" in sys.modules); import util'"} {
			before := e.Stats().Preloaded
			res, err := s.Exec(context.Background(), command, ExecOptions{})
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(res.Stdout, "True\n"), "%s: stdout %q, stderr %q", command, res.Stdout, res.Stderr)
			assert.Equal(t, before+1, e.Stats().Preloaded, command)
		}
	})
	t.Run("a file the shell cannot see into", func(t *testing.T) {
		before := e.Stats().Preloaded
		res, err := s.Exec(context.Background(), "python3 < /work/stats.py", ExecOptions{})
		require.NoError(t, err)
		assertRan(t, 0, "False\n2\n", res)
		assert.Equal(t, before, e.Stats().Preloaded)
	})
	t.Run("eval code", func(t *testing.T) {
		stdlib, err := validate.PolicyByName("stdlib")
		require.NoError(t, err)
		tester, err := NewEvalTester(e, TesterConfig{Timeout: testTimeout, Policy: &stdlib})
		require.NoError(t, err)
		before := e.Stats().Preloaded
		rep, err := tester.Test(context.Background(), []byte("from statistics import median\ndef evaluate(xs):\n    return median(xs)\n"),
			testCases(t, `{"input": [3, 1, 2], "expected": 2}`))
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Passed, "report %+v", rep)
		assert.Less(t, before, e.Stats().Preloaded)
	})
}

// statsProgram is a program whose output covers the preloaded module's
// results and the interpreter state a job may see.
const statsProgram = `import statistics, random, json
xs = [random.random() for _ in range(5)]
print(statistics.median([5, 1, 4, 2, 3]), statistics.stdev([1.5, 2.5, 2.5, 2.75, 3.25, 4.75]))
print(statistics.NormalDist(0, 1).cdf(1.0))
print(json.dumps({"n": len(xs), "in": all(0 <= x < 1 for x in xs)}))
`

func TestPreloadSameResults(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	base := runCode(t, testEngine, "stdlib", statsProgram, ExecOptions{})
	require.Equal(t, 0, base.ExitCode, base.Stderr)
	before := e.Stats().Preloaded
	res := runCode(t, e, "stdlib", statsProgram, ExecOptions{})
	assertRan(t, 0, base.Stdout, res)
	assert.Equal(t, before+1, e.Stats().Preloaded)

	t.Run("random draws differ between runs", func(t *testing.T) {
		code := "import statistics, random\nprint(random.random())\n"
		a := runCode(t, e, "stdlib", code, ExecOptions{})
		b := runCode(t, e, "stdlib", code, ExecOptions{})
		assert.NotEqual(t, a.Stdout, b.Stdout)
	})
}

func TestPreloadDeterministic(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	code := statsProgram + "import time\nprint(random.random(), hash('wasmbox'), time.time())\n"
	det := func(seed uint64) *ExecResult {
		return runCode(t, e, "stdlib", code, ExecOptions{Deterministic: true, Seed: seed})
	}
	before := e.Stats().Preloaded
	first := det(3)
	require.Equal(t, 0, first.ExitCode, first.Stderr)
	assert.Equal(t, before+1, e.Stats().Preloaded, "started from the seed's preloaded snapshot")
	assertRan(t, 0, first.Stdout, det(3), "the same seed again")
	assert.NotEqual(t, first.Stdout, det(4).Stdout, "another seed")
	onBase := runCode(t, testEngine, "stdlib", code, ExecOptions{Deterministic: true, Seed: 3})
	assert.Equal(t, strings.SplitAfterN(onBase.Stdout, "\n", 4)[:3], strings.SplitAfterN(first.Stdout, "\n", 4)[:3],
		"the results before the seed-dependent line are the base snapshot's")
}

func TestPreloadConcurrentJobs(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{Pool: PoolConfig{Size: 1}})
	const jobs = 8
	results := make([]*ExecResult, jobs)
	errs := make([]error, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := "import sys\nprint('statistics' in sys.modules, %d)\n"
			if i%2 == 0 {
				code = "import sys\nprint('statistics' in sys.modules, %d)\nimport statistics\n"
			}
			r, err := NewPythonRunner(e, RunnerConfig{Policy: &noPolicy, Sandbox: SandboxConfig{Timeout: testTimeout}})
			if err == nil {
				results[i], errs[i] = r.Run(context.Background(), []byte(fmt.Sprintf(code, i)), nil, ExecOptions{})
			} else {
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	for i := range jobs {
		require.NoError(t, errs[i], "job %d", i)
		want := fmt.Sprintf("False %d\n", i)
		if i%2 == 0 {
			want = fmt.Sprintf("True %d\n", i)
		}
		assertRan(t, 0, want, results[i], fmt.Sprintf("job %d", i))
	}
	assert.Equal(t, int64(jobs/2), e.Stats().Preloaded)
	require.Eventually(t, func() bool { return e.Stats().WarmReady == 2 }, testTimeout, 20*time.Millisecond,
		"each snapshot's pool refills to its size")
}

func TestPreloadSnapshotCachedOnDisk(t *testing.T) {
	// A preload set of its own, so that the cached file is this test's.
	mods := []string{"fractions", "statistics"}
	first := newPreloadEngine(t, mods, EngineConfig{})
	v := variantFor(first.interp, first.preload.mods)
	path := snapshotFile(first.cacheDir, v.interp, v.warmArgs)
	require.NotEmpty(t, path, "the engine has a cache directory")
	require.NotEqual(t, first.snapshotPath(), path)
	os.Remove(path)

	assertRan(t, 0, "True\n2\n", runCode(t, first, "none", loadedBefore, ExecOptions{}))
	require.NotNil(t, first.preload.current(), "the variant is made")
	assert.Equal(t, int64(1), first.preload.current().snapshotsTaken.Load(), "the first engine's variant takes the snapshot")
	assert.Equal(t, path, first.preload.current().snapshotPath())
	stored, err := os.ReadFile(path)
	require.NoError(t, err, "the snapshot is cached")

	second := newPreloadEngine(t, mods, EngineConfig{})
	assertRan(t, 0, "True\n2\n", runCode(t, second, "none", loadedBefore, ExecOptions{}))
	assert.Equal(t, int64(0), second.preload.current().snapshotsTaken.Load(), "the second engine's variant reads it")
	assert.Equal(t, int64(1), second.Stats().Preloaded)
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(stored, again), "the cached file is left as it was")
}

func TestPreloadNotMadeWithoutNeed(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{Pool: PoolConfig{Size: 1}})
	assertRan(t, 0, "[1]\n", runCode(t, e, "strict", "import json\nprint(json.dumps([1]))\n", ExecOptions{}))
	assertRan(t, 0, "2\n", runCode(t, e, "none", "print(__import__('statistics').median([1, 2, 3]))\n", ExecOptions{}))
	assert.Nil(t, e.preload.current(), "no variant")
}

// A fresh run of a program that imports a module of the preload set, with
// the module imported by the job itself and preloaded: asyncio (a
// standard-library module whose import costs more than a small program's
// whole run) on the base build, and numpy on the numpy build.
func BenchmarkPreloadedRun(b *testing.B) {
	const asyncio = "import asyncio\nprint(asyncio.iscoroutinefunction(print))\n"
	const numpy = "import numpy as np\nprint(int(np.arange(10).sum()))\n"
	numpyBuild := func(warmArgs ...string) EngineConfig {
		return EngineConfig{variant: &variantConfig{interp: numpyInterpreter(), warmArgs: warmArgs}}
	}
	for _, bc := range []struct {
		name, code, stdout string
		mods               []string
		cfg                EngineConfig
	}{
		{"asyncio/imported", asyncio, "False\n", []string{}, EngineConfig{}},
		{"asyncio/preloaded", asyncio, "False\n", []string{"asyncio"}, EngineConfig{}},
		{"numpy/imported", numpy, "45\n", []string{}, numpyBuild(numpyPath)},
		{"numpy/preloaded", numpy, "45\n", nil, EngineConfig{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newPreloadEngine(b, bc.mods, bc.cfg)
			first := runCode(b, e, "none", bc.code, ExecOptions{}) // makes the variant
			require.Equal(b, bc.stdout, first.Stdout, "stderr %q", first.Stderr)
			for b.Loop() {
				res := runCode(b, e, "none", bc.code, ExecOptions{})
				require.Equal(b, 0, res.ExitCode, "stderr %q", res.Stderr)
			}
		})
	}
}
