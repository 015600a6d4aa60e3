package numpysuite

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// knownFailures are the tests of the suite that fail in the sandbox, by
// pytest id prefix, with the reason. Anything else failing fails the test,
// except what knownErrors explains.
var knownFailures = map[string]string{
	"numpy/_core/tests/test_umath.py::TestSpecialFloats::test_exp":               "WebAssembly has no floating-point exception flags: errstate cannot raise",
	"numpy/_core/tests/test_multiarray.py::TestCTypes::test_ctypes_is_available": "the harness's ctypes stand-in imports, so numpy (which found none) is not using it",
}

// knownErrors are error texts that explain a failure wherever it is.
var knownErrors = map[string]string{
	"No module named '_ctypes'":              "wasm32-wasi CPython has no ctypes",
	"ctypes is not available on wasm32-wasi": "wasm32-wasi CPython has no ctypes (the harness's stand-in)",
	"mmap is not available on wasm32-wasi":   "wasm32-wasi CPython has no mmap (the harness's stand-in)",
	"[Errno 58] Not supported":               "WASI has no dup(): tofile and fromfile cannot work (ENOTSUP)",
}

// TestNumpyOwnSuite runs the groups named in WASMBOX_NUMPY_GROUPS
// (comma-separated, "all" for every group; default fft,random) of numpy's
// own tests in the sandbox and prints what passed, failed and was skipped.
// It needs the network once, for Debian's pytest packages (kept in
// WASMBOX_PYTEST_CACHE, default the user cache directory).
func TestNumpyOwnSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("numpy's own test suite takes minutes")
	}
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		t.Skip("numpy's own tests need dpkg-deb to unpack Debian's pytest packages:", err)
	}
	groups := strings.Split(envOr("WASMBOX_NUMPY_GROUPS", "fft,random"), ",")
	if len(groups) == 1 && groups[0] == "all" {
		groups = groups[:0]
		for g := range Groups {
			groups = append(groups, g)
		}
		sort.Strings(groups)
	}
	ctx := context.Background()
	cache := os.Getenv("WASMBOX_PYTEST_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		require.NoError(t, err)
		cache = filepath.Join(dir, "wasmbox-test", "pytest")
	}
	pytest, err := FetchPytest(ctx, cache)
	require.NoError(t, err, "pytest from Debian")
	tree := t.TempDir()
	require.NoError(t, TestsTree(filepath.Join("..", "..", "assets", "cpython313", "numpy-with-tests.zip"), tree))
	e, err := runtime.NewEngine(ctx, runtime.EngineConfig{})
	require.NoError(t, err)
	defer e.Close(ctx)

	for _, g := range groups {
		files, ok := Groups[g]
		require.True(t, ok, "unknown group %q", g)
		t.Run(g, func(t *testing.T) {
			res, err := Run(ctx, Config{Engine: e, TestsTree: tree, Pytest: pytest, Timeout: 30 * time.Minute, MemoryMiB: 2048, MaxOutput: 64 << 20}, files)
			require.NoError(t, err)
			t.Logf("numpy %s: %d passed, %d failed, %d errors, %d skipped, %d xfailed, %d xpassed in %s",
				g, res.Passed, res.Failed, res.Errors, res.Skipped, res.XFailed, res.XPassed, res.Duration.Round(time.Second))
			assert.Positive(t, res.Passed)
			for _, f := range res.Failures {
				reason := known(f)
				if reason == "" {
					assert.Fail(t, "unexpected failure", "%s: %s", f.Test, f.Error)
					continue
				}
				t.Logf("known failure %s (%s)", f.Test, reason)
			}
		})
	}
}

func known(f Failure) string {
	for prefix, reason := range knownFailures {
		if strings.HasPrefix(f.Test, prefix) {
			return reason
		}
	}
	for text, reason := range knownErrors {
		if strings.Contains(f.Error, text) {
			return reason
		}
	}
	return ""
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func TestTestsTreeHoldsTestsOnly(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, TestsTree(filepath.Join("..", "..", "assets", "cpython313", "numpy-with-tests.zip"), dir))
	for _, p := range []string{"numpy/conftest.py", "numpy/_core/tests/test_numeric.py", "numpy/linalg/tests/test_linalg.py", "numpy/__init__.py", "numpy/_core/__init__.py"} {
		assert.FileExists(t, filepath.Join(dir, p))
	}
	init, err := os.ReadFile(filepath.Join(dir, "numpy", "__init__.py"))
	require.NoError(t, err)
	assert.Empty(t, init, "package __init__.py files are placeholders")
	assert.NoFileExists(t, filepath.Join(dir, "numpy", "linalg", "_linalg.pyc"), "numpy's own modules come from numpy.zip")
	err = TestsTree(filepath.Join(dir, "missing.zip"), t.TempDir())
	assert.ErrorContains(t, err, fmt.Sprintf("numpy tests: open %s", filepath.Join(dir, "missing.zip")))
}
