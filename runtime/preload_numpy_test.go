package runtime

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Code that imports numpy runs on the numpy build, with numpy.zip on
// sys.path; other code on the base build.
func TestPreloadNumpyRunsOnTheNumpyBuild(t *testing.T) {
	const code = "import sys, _imp\nprint(sys.path[-1], bool(_imp.is_builtin('numpy._core._multiarray_umath')) or 'numpy' in sys.modules)\n"
	base := runCode(t, testEngine, "none", code, ExecOptions{})
	require.Equal(t, 0, base.ExitCode, base.Stderr)
	assert.Equal(t, "/usr/local/lib/python3.13/lib-dynload False\n", base.Stdout)
	before := testEngine.Stats().Preloaded
	res := runCode(t, testEngine, "stdlib", "if False:\n    import numpy\nprint(1)\n", ExecOptions{})
	assertRan(t, 0, "1\n", res)
	assert.Equal(t, before+1, testEngine.Stats().Preloaded, "numpy code runs on the variant")
	variant := testEngine.preload.current()
	require.NotNil(t, variant)
	assert.Equal(t, InterpreterSnapshot+"-numpy", variant.Interpreter())
	res = runCode(t, testEngine, "none", code+"if False:\n    import numpy\n", ExecOptions{})
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, numpyPath+" True\n", res.Stdout, "sys.path ends with numpy.zip; numpy is built in and loaded")
}

// numpy itself, preloaded: what a program prints (the digits native numpy
// prints), fresh random state in each run, the same output for the same
// seed.
func TestPreloadNumpy(t *testing.T) {
	res := runCode(t, testEngine, "none", "import sys\nloaded = 'numpy' in sys.modules\nimport numpy as np\nprint(loaded, np.linalg.norm(np.arange(10.0)))\n", ExecOptions{})
	assertRan(t, 0, "True 16.881943016134134\n", res)
	draw := "import numpy as np\nprint(np.random.rand(), np.random.default_rng().random())\n"
	a := runCode(t, testEngine, "stdlib", draw, ExecOptions{})
	b := runCode(t, testEngine, "stdlib", draw, ExecOptions{})
	require.Equal(t, 0, a.ExitCode, a.Stderr)
	assert.NotEqual(t, a.Stdout, b.Stdout, "each run draws afresh")
	c := runCode(t, testEngine, "stdlib", draw, ExecOptions{Deterministic: true, Seed: 5})
	d := runCode(t, testEngine, "stdlib", draw, ExecOptions{Deterministic: true, Seed: 5})
	require.Equal(t, 0, c.ExitCode, c.Stderr)
	assert.Equal(t, c.Stdout, d.Stdout, "the same seed draws the same")
}

// A set of numpy operations (linalg, fft, sort, statistics, ufuncs, both
// random APIs' streams, int64 sums) prints what native numpy prints, digit
// for digit.
func TestNumpyMatchesNative(t *testing.T) {
	code, err := os.ReadFile("testdata/numpy_compare.py")
	require.NoError(t, err)
	want, err := os.ReadFile("testdata/numpy_compare.native")
	require.NoError(t, err)
	res := runCode(t, testEngine, "stdlib", string(code), ExecOptions{})
	assertRan(t, 0, string(want), res)
}

// The guard holds on the preloaded numpy as on one a job imports: under
// stdlib, numpy's file functions and the writes of the standard library
// working for the job are refused.
func TestPreloadNumpyGuarded(t *testing.T) {
	const code = `import numpy as np
for name, call in [("save", lambda: np.save("/tmp/a.npy", np.arange(3))),
                   ("load", lambda: np.load("/tmp/eval_script.py")),
                   ("loadtxt", lambda: np.loadtxt("/tmp/eval_script.py"))]:
    try:
        call()
        print(name, "ESCAPED")
    except PermissionError:
        print(name, "refused")
`
	before := testEngine.Stats().Preloaded
	res := runCode(t, testEngine, "stdlib", code, ExecOptions{})
	assertRan(t, 0, "save refused\nload refused\nloadtxt refused\n", res)
	assert.Equal(t, before+1, testEngine.Stats().Preloaded, "ran on the preloaded variant")
}

// A memory limit below the preloaded snapshot's size runs the job on the
// base build, and says why numpy is missing.
func TestPreloadNumpyMemoryTooSmall(t *testing.T) {
	res := runCode(t, testEngine, "none", "import numpy\n", ExecOptions{MemoryLimit: testEngine.MinMemory()})
	assert.Equal(t, 1, res.ExitCode)
	assert.Contains(t, res.Stderr, "wasmbox: numpy needs a memory limit of at least ")
	assert.Contains(t, res.Stderr, "ModuleNotFoundError: No module named 'numpy'")
}
