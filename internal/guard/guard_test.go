package guard

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

func TestArgvShape(t *testing.T) {
	p := policy(t, "strict")
	argv := Argv(p, "file", "/tmp/eval_script.py", []string{"a", "b"})
	require.Len(t, argv, 8, "argv = %q", argv)
	assert.Equal(t, []string{"python3", "-c", bootSource}, argv[:3])
	assert.Equal(t, []string{"file", "/tmp/eval_script.py", "a", "b"}, argv[4:])
	cfg := map[string]string{}
	for _, line := range strings.Split(argv[3], "\n") {
		key, items, _ := strings.Cut(line, "=")
		cfg[key] = items
	}
	assert.Len(t, cfg, 8, "config = %q", cfg)
	assert.Equal(t, "", cfg["libraryPrefixes"])
	assert.Equal(t, "json\x1fre\x1ftyping", cfg["allowed"])
	assert.Empty(t, cfg["noFilePrefixes"], "strict does not allow numpy")
	assert.Equal(t, "strict", cfg["policy"])
	assert.Equal(t, strings.Join(DefaultStdlibPrefixes, "\x1f"), cfg["stdlibPrefixes"])
	assert.Equal(t, strings.Join(p.BlockedBuiltins(), "\x1f"), cfg["blockedBuiltins"])
	assert.NotEmpty(t, cfg["blockedModules"])
	assert.NotEmpty(t, cfg["blockedAttrs"])
	withNumpy, err := policy(t, "stdlib").WithAllowedImports("numpy")
	require.NoError(t, err)
	assert.Contains(t, Argv(withNumpy, "code", "1", nil)[3], "\nnoFilePrefixes="+NumpyPrefix, "a policy allowing numpy")
	got := (Config{StdlibPrefixes: []string{"/x"}, LibraryPrefixes: []string{"/lib/", "/lib2/"}}).Argv(p, "code", "1", nil)
	require.Len(t, got, 6, "custom prefixes: %q", got)
	assert.Contains(t, got[3], "\nstdlibPrefixes=/x\n", "custom prefixes")
	assert.Contains(t, got[3], "\nlibraryPrefixes=/lib/\x1f/lib2/", "library prefixes")
}

// native runs boot.py on the machine's python3 with its stdlib directory as
// the trusted prefix, returning stdout, stderr and the exit code.
func native(t *testing.T, p validate.Policy, mode, target string, args ...string) (string, string, int) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	out, err := exec.Command(py, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])").Output()
	if err != nil {
		t.Skipf("python3 unusable: %v", err)
	}
	argv := Config{StdlibPrefixes: []string{strings.TrimSpace(string(out))}}.Argv(p, mode, target, args)
	cmd := exec.Command(py, argv[1:]...)
	cmd.Dir = t.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

func policy(t *testing.T, name string, extra ...string) validate.Policy {
	t.Helper()
	p, err := validate.PolicyByName(name)
	require.NoError(t, err)
	p, err = p.WithAllowedImports(extra...)
	require.NoError(t, err)
	return p
}

func TestGuardRuns(t *testing.T) {
	for _, tc := range []struct {
		name, policy, src string
		extra             []string
		code              int
		stdout, stderr    string // substrings
	}{
		{name: "dynamic __import__", src: "m = __import__('o' + 's')\n", code: 1,
			stderr: "ModuleNotFoundError: import of 'os' is blocked by the wasmbox strict policy"},
		{name: "import os", src: "import os\n", code: 1, stderr: "import of 'os' is blocked by the wasmbox strict policy"},
		{name: "import not on allowlist", src: "import math\n", code: 1, stderr: "import of 'math' is blocked by the wasmbox strict policy (it allows json, re, typing)"},
		{name: "allow-imports extra", src: "import math\nprint(math.floor(2.5))\n", extra: []string{"math"}, stdout: "2"},
		{name: "import submodule of blocked", src: "import importlib.util\n", code: 1, stderr: "import of 'importlib' is blocked"},
		{name: "from allowed import module attr", src: "from typing import sys\n", code: 1, stderr: "import of 'typing.sys' is blocked"},
		{name: "relative", src: "from . import x\n", code: 1, stderr: "import of '.' is blocked"},
		{name: "allowed modules work", src: `from __future__ import annotations
import json, re, typing
from typing import NamedTuple, Optional
class P(NamedTuple):
    x: int
    y: Optional[str] = None
print(json.dumps({"a": re.findall(r"\d+", "a1b22")}), P(1).x, typing.get_type_hints(P)["x"].__name__)
`, stdout: `{"a": ["1", "22"]} 1 int`},
		{name: "eval is gone", src: "eval('1')\n", code: 1, stderr: "NameError: name 'eval' is not defined"},
		{name: "open only refuses", src: "open('/etc/passwd')\n", code: 1, stderr: "PermissionError: builtin 'open' is blocked by the wasmbox strict policy"},
		{name: "getattr computed dunder", src: "getattr((), '__cl' + 'ass__')\n", code: 1, stderr: "attribute '__class__' is blocked"},
		{name: "getattr module attr", src: "import typing\ngetattr(typing, 'sy' + 's')\n", code: 1, stderr: "attribute 'sys' is blocked"},
		{name: "getattr str subclass", src: "class S(str):\n    def __hash__(self): return 1\n    def __eq__(self, o): return False\ngetattr((), S('__class__'))\n", code: 1, stderr: "attribute '__class__' is blocked"},
		{name: "getattr type dict", src: "getattr(type, '__di' + 'ct__')\n", code: 1, stderr: "attribute '__dict__' is blocked"},
		{name: "getattr instance dict", src: "class A:\n    pass\na = A()\na.x = 1\nprint(getattr(a, '__dict__'))\n", stdout: "{'x': 1}"},
		{name: "attrgetter via typing", src: "import typing\ntyping.operator.attrgetter('__se' + 'lf__')(print)\n", code: 1, stderr: "attribute '__self__' is blocked"},
		{name: "formatter get_field", policy: "stdlib", src: "import string\nstring.Formatter().get_field('0.__cl' + 'ass__', (1,), {})\n", code: 1, stderr: "attribute '__class__' is blocked"},
		{name: "attrgetter still works", policy: "stdlib", src: "import operator, string\nprint(operator.attrgetter('real')(3), string.Formatter().format('{0.real}', 4))\n", stdout: "3 4"},
		{name: "import str subclass", src: "class S(str):\n    def __hash__(self): return hash('os')\n    def __eq__(self, o): return o == 'os'\n__import__(S('json'))\n", code: 1, stderr: "TypeError: __import__() needs a str name"},
		{name: "annotation gadget", src: "import typing\ndef f(x: \"open('/etc/hostname')\"): pass\ntyping.get_type_hints(f, globalns={})\n", code: 1, stderr: "PermissionError: builtin 'open' is blocked"},
		{name: "annotation gadget eval", src: "import typing\ndef f(x: \"eval('1')\"): pass\ntyping.get_type_hints(f, globalns={})\n", code: 1, stderr: "PermissionError: builtin 'eval' is blocked"},
		{name: "string annotations work", src: "import typing\nclass A:\n    x: \"list[int]\"\nprint(typing.get_type_hints(A))\n", stdout: "{'x': list[int]}"},
		{name: "hasattr blocked is false", src: "print(hasattr(1, '__class__'), hasattr(1, 'real'))\n", stdout: "False True"},
		{name: "boot names hidden", src: "print(sorted(dir()))\n", stdout: "['__builtins__', '__doc__', '__loader__', '__name__', '__package__', '__spec__']"},
		{name: "raise SystemExit", src: "raise SystemExit(3)\n", code: 3},
		{name: "exit message", src: "raise SystemExit('bad input')\n", code: 1, stderr: "bad input"},
		{name: "sys.exit", src: "import sys\nsys.exit(3)\n", extra: []string{"sys"}, code: 3},
		{name: "code argv and path", src: "import sys\nprint(sys.argv, repr(sys.path[0]))\n", extra: []string{"sys"}, stdout: "['-c', 'x', 'y'] ''"},
		{name: "stdlib policy", policy: "stdlib", src: `from dataclasses import dataclass
from datetime import datetime
import statistics, collections, decimal, enum, functools
@dataclass
class P:
    x: int
print(P(2).x, datetime.strptime("2024-01-02", "%Y-%m-%d").day, statistics.mean([1, 2, 3]), collections.Counter("aab")["a"])
`, stdout: "2 2 2 2"},
		{name: "none policy", policy: "none", src: "import os\nprint(eval('1+1'))\n", stdout: "2"},
		{name: "syntax error", src: "x = (\n", code: 1, stderr: "SyntaxError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := tc.policy
			if name == "" {
				name = "strict"
			}
			p := policy(t, name, tc.extra...)
			stdout, stderr, code := native(t, p, "code", tc.src, "x", "y")
			assert.Equal(t, tc.code, code, "exit code; stderr: %s", stderr)
			assert.Contains(t, stdout, tc.stdout)
			assert.Contains(t, stderr, tc.stderr)
			assert.NotContains(t, stderr, "_wasmbox", "traceback shows boot frames")
			assert.NotContains(t, stderr, "guarded_", "traceback shows boot frames")
		})
	}
}

func TestGuardFileMode(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "eval_script.py")
	src := "import sys\nprint(__file__, sys.argv, sys.path[0] == %q)\n\ndef f():\n    return 1 / 0\n\nf()\n"
	real, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(script, []byte(strings.Replace(src, "%q", "'"+real+"'", 1)), 0o644))
	stdout, stderr, code := native(t, policy(t, "strict", "sys"), "file", script, "a")
	assert.Contains(t, stdout, script+" ['"+script+"', 'a'] True")
	assert.Equal(t, 1, code, "exit code; stderr: %s", stderr)
	assert.Contains(t, stderr, `File "`+script+`", line 7, in <module>`)
	assert.Contains(t, stderr, `File "`+script+`", line 5, in f`)
	assert.Contains(t, stderr, "ZeroDivisionError")
	assert.Equal(t, 2, strings.Count(stderr, `File "`), "traceback frames:\n%s", stderr)
	_, stderr, code = native(t, policy(t, "strict"), "file", filepath.Join(dir, "missing.py"))
	assert.Equal(t, 2, code, "missing file; stderr: %s", stderr)
	assert.Contains(t, stderr, "can't open file")
}

func TestGuardCodeModeTraceback(t *testing.T) {
	_, stderr, code := native(t, policy(t, "strict"), "code", "x = 1\nimport os\n")
	assert.Equal(t, 1, code, "exit code; stderr: %s", stderr)
	assert.Equal(t, 1, strings.Count(stderr, `File "`), "traceback frames:\n%s", stderr)
	assert.Contains(t, stderr, `File "<string>", line 2, in <module>`)
}

// contextRunner is a stand-in for runtime/context.py: it takes the cells'
// compiler at set-up and runs its cells at exit, after the boot has put
// the policy's guards in place, in the boot's __main__.
const contextRunner = `import atexit, sys
def cells(compile_cell=__wasmbox_compile_cell__, exec=exec, eval=eval):
    main = sys.modules["__main__"].__dict__
    for n, src in enumerate(sys.argv[1:]):
        try:
            body, last = compile_cell(src, "<cell %d>" % n)
            exec(body, main)
            value = None if last is None else eval(last, main)
            if value is not None:
                print(repr(value))
        except Exception as e:
            print(type(e).__name__, e)
    print(sorted(k for k in main if not k.startswith("__")))
atexit.register(cells)
`

func TestGuardContextMode(t *testing.T) {
	stdout, stderr, code := native(t, policy(t, "strict"), "context", contextRunner,
		"x = 41", "x + 1", "import os", "y = 1\n__wasmbox_ga__", "print(getattr(x, 'real'))")
	assert.Equal(t, 0, code, "exit code; stderr: %s", stderr)
	assert.Equal(t, strings.Join([]string{
		"42",
		"ModuleNotFoundError import of 'os' is blocked by the wasmbox strict policy",
		"SyntaxError the name '__wasmbox_ga__' is blocked by the wasmbox strict policy (<cell 3>, line 2)",
		"41",
		"['x']",
	}, "\n")+"\n", stdout)

	stdout, stderr, code = native(t, policy(t, "none"), "context", contextRunner, "import os", "os.sep")
	assert.Equal(t, 0, code, "exit code; stderr: %s", stderr)
	assert.Equal(t, "'/'\n['os']\n", stdout, "no policy: cells compiled as written")
}
