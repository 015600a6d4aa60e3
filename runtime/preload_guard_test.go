package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

// runFrom runs code as PythonRunner would, under policy but without the
// static check, from the preloaded snapshot when preload is set whatever
// the code and policy say: what the guard alone makes of a preloaded module
// that the policy does not allow.
func runFrom(t *testing.T, e *Engine, policy validate.Policy, code string, preload bool) *ExecResult {
	t.Helper()
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(t, err)
	defer s.Destroy()
	require.NoError(t, s.WriteFile(ScriptPath, []byte(code)))
	argv, err := s.guestArgv("python3 "+ScriptPath, &policy)
	require.NoError(t, err)
	stdout, stderr := &cappedBuffer{max: DefaultMaxOutput}, &cappedBuffer{max: DefaultMaxOutput}
	j := job{argv: argv, stdout: stdout, stderr: stderr, fs: s.fs, memoryLimit: DefaultMemoryLimit, timeout: testTimeout, preload: preload}
	before := e.Stats().Preloaded
	runErr, stopped, alloc, _ := e.runJob(context.Background(), j, func() {})
	res := &ExecResult{MemoryExceeded: alloc.exceeded.Load()}
	require.NoError(t, classify(context.Background(), stopped, runErr, res, stderr))
	require.Equal(t, preload, e.Stats().Preloaded > before, "started from the preloaded snapshot")
	res.Stdout, _ = stdout.result()
	res.Stderr, _ = stderr.result()
	return res
}

// Probes that try to get hold of the preloaded module (statistics) under a
// policy that does not allow it. Each prints a line starting with
// "ESCAPED" when it gets it. The guard judges an import by its importer
// and name, whether the module is loaded or not: those probes fail even
// in an instance started from the preloaded snapshot (guardAlone). The
// others reach objects already loaded (typing's forward references
// evaluate in typing's globals, where sys is; a subclass walk finds every
// class): the guard hands over loaded modules that are neither dangerous
// nor private, so they fail only because such a job never starts from the
// preloaded snapshot (see preload.go).
var preloadProbes = []struct {
	name, code string
	guardAlone bool
}{
	{"import statement", "import statistics\nprint('ESCAPED', statistics)\n", true},
	{"import by name", "m = __import__('statis' + 'tics')\nprint('ESCAPED', m)\n", true},
	{"sys.modules", "import sys\nprint('ESCAPED', sys.modules['statistics'])\n", true},
	{"a module attribute of a loaded module", `import typing
m = typing.functools
for name in ("sys", "modules"):
    m = getattr(m, name)
print("ESCAPED", m["statistics"])
`, true},
	{"forward reference in typing's globals", `import typing
class C:
    x: "sys.modules['statistics']"
C.__module__ = "typing"
print("ESCAPED", typing.get_type_hints(C)["x"])
`, false},
	{"a class of the module found by walking subclasses", `import typing
ag = type(typing.operator.attrgetter("x"))
sub = ag("__subcla" + "sses__")
todo, found = [object], {}
while todo:
    c = todo.pop()
    found[c.__name__] = c
    try:
        todo += [k for k in sub(c)() if k.__name__ not in found]
    except TypeError:
        pass
print("ESCAPED", found["NormalDist"](0, 1).cdf(0))
`, false},
}

func TestPreloadedModuleStaysOutOfReach(t *testing.T) {
	e := newPreloadEngine(t, testPreload, EngineConfig{})
	strict, err := validate.PolicyByName("strict")
	require.NoError(t, err)
	t.Run("control: unguarded, the module is there", func(t *testing.T) {
		res := runFrom(t, e, noPolicy, "import sys\nprint('ESCAPED', sys.modules['statistics'].__name__)\n", true)
		assertRan(t, 0, "ESCAPED statistics\n", res)
	})
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(t, err)
	t.Cleanup(func() { s.Destroy() })
	for _, probe := range preloadProbes {
		t.Run(probe.name, func(t *testing.T) {
			// The import the scan sees does not choose the preloaded
			// snapshot: strict does not allow statistics.
			code := "if False:\n    import statistics\n" + probe.code
			require.NoError(t, s.WriteFile("/tmp/probe.py", []byte(code)))
			before := e.Stats().Preloaded
			res, err := s.Exec(context.Background(), "python3 /tmp/probe.py", ExecOptions{Policy: &strict})
			require.NoError(t, err)
			assert.Equal(t, before, e.Stats().Preloaded, "started from the base snapshot")
			assert.NotContains(t, res.Stdout, "ESCAPED", "stderr %q", res.Stderr)
			assert.NotEqual(t, 0, res.ExitCode)
			if probe.guardAlone {
				res := runFrom(t, e, strict, probe.code, true)
				assert.NotContains(t, res.Stdout, "ESCAPED", "from the preloaded snapshot; stderr %q", res.Stderr)
				assert.NotEqual(t, 0, res.ExitCode, "from the preloaded snapshot")
			}
		})
	}
}
