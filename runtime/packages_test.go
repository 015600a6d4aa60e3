package runtime

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime/runtimetest"
	"github.com/wasmbox/wasmbox/validate"
)

// testPackages writes the test package wbpkg in each form LoadPackages
// takes, and returns their paths by name.
func testPackages(t *testing.T) map[string]string {
	t.Helper()
	tmp := t.TempDir()
	files := runtimetest.PackageFiles("wbpkg")
	entry := runtimetest.WriteDir(t, filepath.Join(tmp, "site"), files)
	return map[string]string{
		"package-dir": filepath.Join(entry, "wbpkg"),
		"path-dir":    entry,
		"zip":         runtimetest.WriteZip(t, filepath.Join(tmp, "wbpkg.zip"), files),
		"wheel":       runtimetest.WriteWheel(t, tmp, "wbpkg", "1.0", "py3-none-any", true, files),
	}
}

func loadPackages(t *testing.T, paths ...string) *Packages {
	t.Helper()
	p, err := LoadPackages(paths...)
	require.NoError(t, err)
	return p
}

// policyOf is the named policy, allowing allow.
func policyOf(t *testing.T, name string, allow ...string) *validate.Policy {
	t.Helper()
	p, err := validate.PolicyByName(name)
	require.NoError(t, err)
	p, err = p.WithAllowedImports(allow...)
	require.NoError(t, err)
	return &p
}

// runWith runs code with PythonRunner under the named policy, allowing
// allow, in a sandbox with pkgs.
func runWith(t *testing.T, pkgs *Packages, policy string, allow []string, code string, opts ExecOptions) *ExecResult {
	t.Helper()
	r, err := NewPythonRunner(testEngine, RunnerConfig{Policy: policyOf(t, policy, allow...), Sandbox: SandboxConfig{Timeout: testTimeout, Packages: pkgs}})
	require.NoError(t, err)
	res, err := r.Run(context.Background(), []byte(code), nil, opts)
	require.NoError(t, err)
	return res
}

// usePackage uses the package's modules, a stdlib module it imports that
// strict does not allow, and its data file.
const usePackage = "import wbpkg, wbpkg.text, wbpkg.paths\nprint(wbpkg.top('b a b'), wbpkg.text.words('X y'), wbpkg.greeting(), wbpkg.paths.here())\n"

func TestPackagesImport(t *testing.T) {
	for kind, path := range testPackages(t) {
		pkgs := loadPackages(t, path)
		for _, policy := range []string{"none", "stdlib", "strict"} {
			t.Run(kind+"/"+policy, func(t *testing.T) {
				res := runWith(t, pkgs, policy, []string{"wbpkg"}, usePackage, ExecOptions{})
				assertRan(t, 0, "b ['x', 'y'] hello from wbpkg wbpkg\n", res)
			})
		}
	}
}

// The interpreter's own start (a fresh instance: PYTHONHASHSEED keeps the
// job out of the warm ones) and warm.py put the packages at the same place
// on sys.path, in the order given, after any PYTHONPATH of the caller's.
func TestPackagesSysPath(t *testing.T) {
	paths := testPackages(t)
	pkgs := loadPackages(t, paths["wheel"], paths["package-dir"])
	entries := []string{"/opt/wasmbox/packages/wbpkg-1.0-py3-none-any.whl", "/opt/wasmbox/packages/wbpkg"}
	require.Equal(t, entries, pkgs.SysPath())
	want := "['/tmp', '/extra', '" + strings.Join(entries, "', '") + "', '/usr/local/lib/python313.zip']\n"
	for name, env := range map[string]map[string]string{
		"warm":  {"PYTHONPATH": "/extra"},
		"fresh": {"PYTHONPATH": "/extra", "PYTHONHASHSEED": "0"},
	} {
		t.Run(name, func(t *testing.T) {
			res := runWith(t, pkgs, "none", nil, "import sys\nprint(sys.path[:5])\n", ExecOptions{Env: env})
			assertRan(t, 0, want, res)
		})
	}
}

func TestPackagesNeedAllowImport(t *testing.T) {
	pkgs := loadPackages(t, testPackages(t)["wheel"])
	for _, policy := range []string{"strict", "stdlib"} {
		t.Run(policy+"/static", func(t *testing.T) {
			res := runWith(t, pkgs, policy, nil, "import wbpkg\n", ExecOptions{})
			assert.Equal(t, ExitRejected, res.ExitCode)
			require.Len(t, res.Violations, 1)
			assert.Equal(t, validate.RuleImportNotAllowed, res.Violations[0].Rule)
			assert.Equal(t, "wbpkg", res.Violations[0].Name)
		})
		t.Run(policy+"/guard", func(t *testing.T) {
			// Past the static check, the guard refuses it in the guest.
			s := newSandbox(t, SandboxConfig{Packages: pkgs})
			res := execIn(t, s, `python3 -c '__import__("wb"+"pkg")'`, ExecOptions{Policy: policyOf(t, policy)})
			assert.Equal(t, 1, res.ExitCode)
			assert.Contains(t, res.Stderr, "ModuleNotFoundError: import of 'wbpkg' is blocked by the wasmbox "+policy+" policy")
		})
	}
}

// Package code is trusted as library code, but what it hands out is still
// judged for the user: the os module it imported is not the user's.
func TestPackagesUserCodeStaysGuarded(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Packages: loadPackages(t, testPackages(t)["wheel"])})
	code := "import wbpkg.paths\ntry:\n    print(wbpkg.paths.os.listdir(\"/\"))\nexcept Exception as e:\n    print(type(e).__name__, e)\n"
	require.NoError(t, s.WriteFile("/tmp/user.py", []byte(code)))
	res := execIn(t, s, "python3 /tmp/user.py", ExecOptions{Policy: policyOf(t, "strict", "wbpkg")})
	assertRan(t, 0, "AttributeError attribute 'os' is blocked by the wasmbox strict policy\n", res)
}

// Whatever changes the packages' files fails with EROFS, as on a read-only
// mount; reading works.
func TestPackagesReadOnly(t *testing.T) {
	pkgs := loadPackages(t, testPackages(t)["zip"])
	code := `import errno, os
d = "/opt/wasmbox/packages/wbpkg.zip/wbpkg"
tries = {
    "write": lambda: open(d + "/text.py", "w"),
    "append": lambda: open(d + "/text.py", "a"),
    "create": lambda: open(d + "/new.py", "x"),
    "rename": lambda: os.rename(d + "/text.py", d + "/t.py"),
    "rename-out": lambda: os.rename(d + "/text.py", "/tmp/t.py"),
    "rename-in": lambda: (open("/tmp/t.py", "w").close(), os.rename("/tmp/t.py", d + "/t.py")),
    "unlink": lambda: os.unlink(d + "/text.py"),
    "mkdir": lambda: os.mkdir(d + "/sub"),
    "rmdir": lambda: os.rmdir(d),
    "symlink": lambda: os.symlink("/tmp", d + "/l"),
    "utime": lambda: os.utime(d + "/text.py", (1, 1)),
}
for name, f in tries.items():
    try:
        f()
        print(name, "done")
    except OSError as e:
        print(name, errno.errorcode[e.errno])
print(open(d + "/greeting.txt").read().strip())
`
	want := "write EROFS\nappend EROFS\ncreate EROFS\nrename EROFS\nrename-out EROFS\nrename-in EROFS\nunlink EROFS\n" +
		"mkdir EROFS\nrmdir EROFS\nsymlink EROFS\nutime EROFS\nhello from wbpkg\n"
	assertRan(t, 0, want, runWith(t, pkgs, "none", nil, code, ExecOptions{}))
}

// Each run sees its own sandbox's packages and no other's, whatever ran
// before it in the engine's warm instances.
func TestPackagesPerSandbox(t *testing.T) {
	tmp := t.TempDir()
	alpha := loadPackages(t, runtimetest.WriteDir(t, filepath.Join(tmp, "alpha"), map[string]string{"__init__.py": "NAME = 'alpha'\n"}))
	beta := loadPackages(t, runtimetest.WriteZip(t, filepath.Join(tmp, "beta.zip"), map[string]string{"beta/__init__.py": "NAME = 'beta'\n"}))
	code := `import os
for name in ("alpha", "beta"):
    try:
        print(__import__(name).NAME)
    except ModuleNotFoundError:
        print("no", name)
print(sorted(os.listdir("/opt/wasmbox/packages")) if os.path.exists("/opt/wasmbox/packages") else "no mount")
`
	for _, tc := range []struct {
		name string
		pkgs *Packages
		want string
	}{
		{"alpha", alpha, "alpha\nno beta\n['alpha']\n"},
		{"beta", beta, "no alpha\nbeta\n['beta.zip']\n"},
		{"none", nil, "no alpha\nno beta\nno mount\n"},
		{"alpha-again", alpha, "alpha\nno beta\n['alpha']\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertRan(t, 0, tc.want, runWith(t, tc.pkgs, "none", nil, code, ExecOptions{}))
		})
	}
}

// The packages of a sandbox are there for every python3 its shell runs,
// for deterministic runs, and for the shell's utilities, read-only.
func TestPackagesShell(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Packages: loadPackages(t, testPackages(t)["wheel"])})
	for name, tc := range map[string]struct {
		command string
		opts    ExecOptions
		want    string
	}{
		"plain":         {`python3 -c "import wbpkg; print(wbpkg.top('a b b'))"`, ExecOptions{}, "b\n"},
		"in-dir":        {`cd /tmp && python3 -c "import wbpkg; print(wbpkg.top('a b b'))"`, ExecOptions{}, "b\n"},
		"deterministic": {`python3 -c "import wbpkg; print(wbpkg.top('a b b'))"`, ExecOptions{Deterministic: true}, "b\n"},
		"utilities": {`ls /opt/wasmbox/packages; rm /opt/wasmbox/packages/*/wbpkg/text.py 2>/dev/null || echo refused`, ExecOptions{},
			"wbpkg-1.0-py3-none-any.whl\nrefused\n"},
	} {
		t.Run(name, func(t *testing.T) {
			assertRan(t, 0, tc.want, execIn(t, s, tc.command, tc.opts))
		})
	}
}

func TestPackagesEvalTester(t *testing.T) {
	policy, err := validate.PolicyByName("stdlib")
	require.NoError(t, err)
	policy, err = policy.WithAllowedImports("wbpkg")
	require.NoError(t, err)
	pkgs := loadPackages(t, testPackages(t)["wheel"])
	code := "import wbpkg\n\ndef evaluate(s):\n    return wbpkg.top(s)\n"
	rep := testEval(t, TesterConfig{Policy: &policy, Packages: pkgs}, code, `{"input": "a b b", "expected": "b"}`+"\n"+`{"input": "c", "expected": "c"}`)
	assert.Equal(t, "pass,pass", statuses(rep), "load error %+v", rep.LoadError)
}

func TestLoadPackagesErrors(t *testing.T) {
	tmp := t.TempDir()
	pure := runtimetest.PackageFiles("wbpkg")
	native := runtimetest.PackageFiles("wbpkg")
	native["wbpkg/_speedups.cpython-313-x86_64-linux-gnu.so"] = "\x7fELF"
	corrupt := filepath.Join(tmp, "corrupt.zip")
	require.NoError(t, os.WriteFile(corrupt, []byte("PK\x03\x04 not really"), 0o644))
	unknown := filepath.Join(tmp, "pkg.tar.gz")
	require.NoError(t, os.WriteFile(unknown, []byte("x"), 0o644))
	good := runtimetest.WriteDir(t, filepath.Join(tmp, "good"), pure)
	noWheel := filepath.Join(t.TempDir(), "wbpkg-1.0-py3-none-any.whl")
	runtimetest.WriteZip(t, noWheel, pure)
	for name, tc := range map[string]struct {
		path string
		want error
	}{
		"missing":       {filepath.Join(tmp, "nope.whl"), os.ErrNotExist},
		"unknown-kind":  {unknown, ErrBadPackage},
		"corrupt-zip":   {corrupt, ErrBadPackage},
		"no-WHEEL":      {noWheel, ErrBadPackage},
		"wheel-with-so": {runtimetest.WriteWheel(t, t.TempDir(), "wbpkg", "1.0", "py3-none-any", true, native), ErrNotPurePython},
		"cp313-wheel":   {runtimetest.WriteWheel(t, t.TempDir(), "wbpkg", "1.0", "cp313-cp313-linux_x86_64", false, pure), ErrNotPurePython},
		"not-purelib":   {runtimetest.WriteWheel(t, t.TempDir(), "wbpkg", "1.0", "py3-none-any", false, pure), ErrNotPurePython},
		"zip-with-so":   {runtimetest.WriteZip(t, filepath.Join(tmp, "native.zip"), native), ErrNotPurePython},
		"dir-with-so":   {runtimetest.WriteDir(t, filepath.Join(tmp, "native"), native), ErrNotPurePython},
		"zip-slip":      {runtimetest.WriteZip(t, filepath.Join(tmp, "slip.zip"), map[string]string{"../evil.py": ""}), ErrBadPackage},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := LoadPackages(good, tc.path)
			assert.Nil(t, p)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// A package's file run as the program is the user's code, not the host's:
// under a policy its imports are judged.
func TestPackagesFileTargetIsUserCode(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Packages: loadPackages(t, testPackages(t)["package-dir"])})
	res := execIn(t, s, "python3 /opt/wasmbox/packages/wbpkg/wbpkg/paths.py", ExecOptions{Policy: policyOf(t, "strict")})
	assert.Equal(t, 1, res.ExitCode)
	assert.Contains(t, res.Stderr, "import of 'os' is blocked by the wasmbox strict policy")
}

// Each package gets a directory named after it, made unique, and safe in
// PYTHONPATH.
func TestPackagesMountNames(t *testing.T) {
	files := map[string]string{"__init__.py": ""}
	a := runtimetest.WriteDir(t, filepath.Join(t.TempDir(), "wbpkg"), files)
	b := runtimetest.WriteDir(t, filepath.Join(t.TempDir(), "wbpkg"), files)
	colon := runtimetest.WriteZip(t, filepath.Join(t.TempDir(), "a:b.zip"), map[string]string{"ab.py": ""})
	pkgs := loadPackages(t, a, b, colon)
	assert.Equal(t, []string{PackagesDir + "/wbpkg", PackagesDir + "/wbpkg-2", PackagesDir + "/a_b.zip"}, pkgs.SysPath())
	res := runWith(t, pkgs, "none", nil, "import ab, wbpkg\nprint(wbpkg.__file__)\n", ExecOptions{})
	assertRan(t, 0, "/opt/wasmbox/packages/wbpkg/wbpkg/__init__.py\n", res)
}

// Only the packages' own files are trusted: a file the sandbox's filesystem
// holds under PackagesDir is never library code, and with packages mounted
// the guest cannot see it at all.
func TestPackagesDirNotForgeable(t *testing.T) {
	forged := "import os\nprint('forged', os.sep)\n"
	for name, tc := range map[string]struct {
		pkgs *Packages
		want string
	}{
		"no packages": {nil, "import of 'os' is blocked by the wasmbox strict policy"},
		"packages":    {loadPackages(t, testPackages(t)["zip"]), "No module named 'evil'"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{Packages: tc.pkgs})
			require.NoError(t, s.WriteFile(PackagesDir+"/evil/evil.py", []byte(forged)))
			res := execIn(t, s, `python3 -c 'import sys; sys.path.append("/opt/wasmbox/packages/evil"); import evil'`,
				ExecOptions{Policy: policyOf(t, "strict", "sys", "evil")})
			assert.Equal(t, 1, res.ExitCode)
			assert.Empty(t, res.Stdout)
			assert.Contains(t, res.Stderr, tc.want)
		})
	}
}

// A code context imports its sandbox's packages, and so do its forks and a
// context resumed in a sandbox with the same packages, a package file held
// open included.
func TestPackagesContext(t *testing.T) {
	pkgs := loadPackages(t, testPackages(t)["wheel"])
	c, err := newSandbox(t, SandboxConfig{Packages: pkgs}).NewContext(context.Background(), ContextOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	runCell(t, c, "import wbpkg\nf = open(wbpkg.__file__.rpartition('/')[0] + '/greeting.txt')\nf.read(6)")
	assert.Equal(t, []string{"'b'"}, texts(runCell(t, c, "wbpkg.top('a b b')")))

	fork, err := c.Fork(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { fork.Close() })
	assert.Equal(t, []string{"('wbpkg', 'from wbpkg\\n')"}, texts(runCell(t, fork, "import wbpkg.paths\n(wbpkg.paths.here(), f.read())")))

	saved, err := c.Save(context.Background())
	require.NoError(t, err)
	resumed, err := testEngine.ResumeContext(context.Background(), newSandbox(t, SandboxConfig{Packages: pkgs}), saved)
	require.NoError(t, err)
	t.Cleanup(func() { resumed.Close() })
	assert.Equal(t, []string{"('wbpkg', 'from wbpkg\\n')"}, texts(runCell(t, resumed, "import wbpkg.paths\n(wbpkg.paths.here(), f.read())")))

	// Without the packages, the context cannot have its file back.
	_, err = testEngine.ResumeContext(context.Background(), newSandbox(t, SandboxConfig{}), saved)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}
