package evaltest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/guard"
	"github.com/wasmbox/wasmbox/validate"
)

// TestHarnessUnderGuard runs the harness the way the sandbox does: as the
// target of the guard's boot script, with the harness's directory trusted
// and the evaluation code held to the strict policy.
func TestHarnessUnderGuard(t *testing.T) {
	t.Parallel()
	py := python(t)
	out, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Skipf("python3 unusable: %v", err)
	}
	stdlib := strings.TrimSpace(string(out))
	pol, err := validate.PolicyByName("strict")
	require.NoError(t, err)

	dir := t.TempDir()
	harnessDir := filepath.Join(dir, ".wasmbox")
	require.NoError(t, os.Mkdir(harnessDir, 0o755))
	harness := filepath.Join(harnessDir, "harness.py")
	script := filepath.Join(dir, "eval_script.py")
	require.NoError(t, os.WriteFile(harness, HarnessSource, 0o644))
	require.NoError(t, os.WriteFile(script, []byte(`import json

def evaluate(kind):
    if kind == "os":
        import os
        return os.getcwd()
    if kind == "open":
        return open("/etc/hostname").read()
    if kind == "getattr":
        return getattr(evaluate, "__globals__")
    print("fine")
    return json.loads('{"ok": [1, 2.0, true]}')
`), 0o644))
	cases := `[
  {"name": "allowed import", "input": "json", "expected": {"ok": [1, 2, true]}},
  {"name": "blocked import", "input": "os", "raises": "ImportError"},
  {"name": "blocked builtin", "input": "open", "raises": "PermissionError"},
  {"name": "blocked attribute", "input": "getattr", "raises": "AttributeError"}
]`
	argv := guard.Config{StdlibPrefixes: []string{stdlib, harnessDir + "/"}}.Argv(pol, "file", harness, []string{script, "evaluate"})
	run := runNative(t, py, argv[1:], script, cases)
	require.Len(t, run.exits, 1)
	assert.Equal(t, 0, run.exits[0].Code, run.stderr())
	require.Nil(t, run.rep.LoadError)
	assert.Equal(t, []Status{StatusPass, StatusPass, StatusPass, StatusPass}, statusesOf(run.rep), "%+v", run.rep.Cases)
	assert.Equal(t, "fine\n", run.rep.Cases[0].Stdout)

	// A load error under the guard: a blocked import at the top.
	require.NoError(t, os.WriteFile(script, []byte("import os\n\ndef evaluate(x):\n    return x\n"), 0o644))
	run = runNative(t, py, argv[1:], script, cases)
	le := run.rep.LoadError
	require.NotNil(t, le, "%+v", run.rep)
	assert.Equal(t, "ModuleNotFoundError", le.Type)
	assert.Contains(t, le.Message, "'os'")
	assert.Contains(t, le.Traceback, "line 1, in <module>")
	assert.NotContains(t, le.Traceback, "guarded_import")
}
