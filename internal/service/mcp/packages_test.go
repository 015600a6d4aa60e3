package mcp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/runtime/runtimetest"
)

// run_python and test_eval import the service's packages.
func TestPackages(t *testing.T) {
	wheel := runtimetest.WriteWheel(t, t.TempDir(), "wbpkg", "1.0", "py3-none-any", true, runtimetest.PackageFiles("wbpkg"))
	pkgs, err := runtime.LoadPackages(wheel)
	require.NoError(t, err)
	cs := connect(t, Config{Packages: pkgs, AllowImports: []string{"wbpkg"}}, nil)

	var got runtime.ExecResult
	res := call(t, cs, "run_python", map[string]any{"code": "import wbpkg\nprint(wbpkg.top('a b b'))", "policy": "stdlib"}, &got)
	assert.False(t, res.IsError, "stderr: %s", got.Stderr)
	assert.Equal(t, "b\n", got.Stdout)

	var rep runtime.TestReport
	call(t, cs, "test_eval", map[string]any{
		"eval_code":  "import wbpkg\n\ndef evaluate(s):\n    return wbpkg.greeting()\n",
		"test_cases": []any{map[string]any{"input": "", "expected": "hello from wbpkg"}},
	}, &rep)
	assert.Equal(t, 1, rep.Passed, "load error %+v, cases %+v", rep.LoadError, rep.Cases)
}
