package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime/runtimetest"
)

// cliPackages writes the test package wbpkg as a directory, a zip and a
// wheel, and returns their paths by kind.
func cliPackages(t *testing.T) map[string]string {
	t.Helper()
	tmp := t.TempDir()
	files := runtimetest.PackageFiles("wbpkg")
	return map[string]string{
		"dir":   filepath.Join(runtimetest.WriteDir(t, filepath.Join(tmp, "site"), files), "wbpkg"),
		"zip":   runtimetest.WriteZip(t, filepath.Join(tmp, "wbpkg.zip"), files),
		"wheel": runtimetest.WriteWheel(t, tmp, "wbpkg", "1.0", "py3-none-any", true, files),
	}
}

const cliUsePackage = "import wbpkg\nprint(wbpkg.top('b a b'), wbpkg.greeting())\n"

func TestPackagesRun(t *testing.T) {
	for kind, path := range cliPackages(t) {
		for name, policy := range map[string][]string{
			"none":   {"--policy", "none"},
			"stdlib": {"--policy", "stdlib", "--allow-import", "wbpkg"},
		} {
			t.Run(kind+"/"+name, func(t *testing.T) {
				args := append([]string{"run", "--packages", path, "-c", cliUsePackage}, policy...)
				stdout, stderr, code := cli(t, "", args...)
				assert.Equal(t, 0, code, "stderr: %s", stderr)
				assert.Equal(t, "b hello from wbpkg\n", stdout)
			})
		}
	}
	t.Run("repeated", func(t *testing.T) {
		other := runtimetest.WriteDir(t, filepath.Join(t.TempDir(), "other"), map[string]string{"__init__.py": "N = 2\n"})
		stdout, stderr, code := cli(t, "", "run", "--packages", cliPackages(t)["wheel"], "--packages", other,
			"--policy", "strict", "--allow-import", "wbpkg,other", "-c", "import other, wbpkg\nprint(wbpkg.top('a'), other.N)\n")
		assert.Equal(t, 0, code, "stderr: %s", stderr)
		assert.Equal(t, "a 2\n", stdout)
	})
	t.Run("with-server", func(t *testing.T) {
		_, stderr, code := cli(t, "", "run", "--packages", cliPackages(t)["wheel"], "--server", "unix:/nonexistent", "-c", cliUsePackage)
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "a server runs with its own packages (wasmbox serve --packages)")
	})
	t.Run("not-allowed", func(t *testing.T) {
		stdout, stderr, code := cli(t, "", "run", "--packages", cliPackages(t)["wheel"], "--policy", "stdlib", "-c", cliUsePackage)
		assert.Equal(t, 126, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, `import-not-allowed: import of "wbpkg" is not allowed`)
	})
}

// Packages that cannot be used are refused before anything runs, with a
// message that names the package and what is wrong with it.
func TestPackagesRefused(t *testing.T) {
	tmp := t.TempDir()
	pure := runtimetest.PackageFiles("wbpkg")
	native := runtimetest.PackageFiles("wbpkg")
	native["wbpkg/_speedups.cpython-313-x86_64-linux-gnu.so"] = "\x7fELF"
	soWheel := runtimetest.WriteWheel(t, filepath.Join(tmp), "wbpkg", "1.0", "py3-none-any", true, native)
	cpWheel := runtimetest.WriteWheel(t, tmp, "wbpkg", "1.0", "cp313-cp313-linux_x86_64", false, pure)
	corrupt := writeFile(t, "broken.whl", "PK\x03\x04 truncated")
	for name, tc := range map[string]struct {
		path string
		want []string
	}{
		"so-member": {soWheel, []string{soWheel, `member "wbpkg/_speedups.cpython-313-x86_64-linux-gnu.so" is a compiled extension`,
			"wasmbox runs WebAssembly and cannot load native extensions: only pure-Python packages"}},
		"cp313-tag": {cpWheel, []string{cpWheel, `has the tag "cp313-cp313-linux_x86_64", not py*-none-any`,
			"cannot load native extensions"}},
		"missing":      {filepath.Join(tmp, "nope.whl"), []string{"package " + filepath.Join(tmp, "nope.whl") + ": no such file or directory"}},
		"unknown-kind": {writeFile(t, "pkg.tar", "x"), []string{`pkg.tar: unknown kind of package ".tar": give a directory, a .zip or a pure-Python .whl`}},
		"corrupt":      {corrupt, []string{corrupt + ": not a valid zip archive"}},
	} {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := cli(t, "", "run", "--policy", "none", "--packages", tc.path, "-c", "print('ran')")
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout)
			for _, want := range tc.want {
				assert.Contains(t, stderr, want)
			}
		})
	}
}

func TestPackagesSh(t *testing.T) {
	stdout, stderr, code := cli(t, "", "sh", "--packages", cliPackages(t)["zip"], "-c",
		`python3 -c "import wbpkg; print(wbpkg.top('x y y'))" && ls /opt/wasmbox/packages`)
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Equal(t, "y\nwbpkg.zip\n", stdout)
}

func TestPackagesTest(t *testing.T) {
	eval := writeFile(t, "eval.py", "import wbpkg\n\ndef evaluate(text):\n    return wbpkg.top(text)\n")
	cases := writeFile(t, "cases.jsonl", `{"input": "a b b", "expected": "b"}`+"\n"+`{"input": "c", "expected": "d"}`+"\n")
	stdout, stderr, code := cli(t, "", "test", "--packages", cliPackages(t)["wheel"], "--policy", "stdlib", "--allow-import", "wbpkg",
		"--eval", eval, "--cases", cases, "--json")
	require.Equal(t, 1, code, "one case fails; stderr: %s", stderr)
	var rep struct {
		Passed, Failed int
		LoadError      any
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
	assert.Equal(t, 1, rep.Passed)
	assert.Equal(t, 1, rep.Failed)
	assert.Nil(t, rep.LoadError)
}

func TestPackagesServe(t *testing.T) {
	s := startServe(t, "--packages", cliPackages(t)["wheel"])
	assert.True(t, s.hasLog("listening", map[string]any{"packages": "[/opt/wasmbox/packages/wbpkg-1.0-py3-none-any.whl]"}), "the start-up log names the packages")
	body := `{"code": "import wbpkg\nprint(wbpkg.top('q r r'))", "policy": "stdlib", "allowImports": ["wbpkg"]}`
	status, out := call(context.Background(), "POST", s.base+"/v1/run", "", body)
	require.Equal(t, 200, status, "body: %s", out)
	var res struct {
		ExitCode int
		Stdout   string
		Stderr   string
	}
	require.NoError(t, json.Unmarshal(out, &res))
	assert.Equal(t, 0, res.ExitCode, "stderr: %s", res.Stderr)
	assert.Equal(t, "r\n", res.Stdout)

	// A sandbox session's shell has them too.
	c := bridgeClient{base: s.base}
	id, err := c.create()
	require.NoError(t, err)
	ex, err := c.exec(id, []string{"python3", "-c", "import wbpkg; print(wbpkg.greeting())"}, 60000)
	require.NoError(t, err)
	assert.Equal(t, 0, ex.exitCode, "stderr: %s", ex.stderr.String())
	assert.Equal(t, "hello from wbpkg\n", ex.stdout.String())
}

// A replay bundle names the packages and what they held: it replays with
// them, and refuses to when they have changed. Changed packages also miss
// the result cache.
func TestPackagesReplayAndCache(t *testing.T) {
	dir := t.TempDir()
	pkg := runtimetest.WriteDir(t, filepath.Join(dir, "site", "wbval"), map[string]string{"__init__.py": "VALUE = 1\n"})
	eval := writeFile(t, "eval.py", "import wbval\n\ndef evaluate(x):\n    return wbval.VALUE\n")
	cases := writeFile(t, "cases.jsonl", `{"name": "one", "input": 0, "expected": 3}`+"\n")
	replays := filepath.Join(dir, "replays")
	test := func() string {
		stdout, stderr, code := cli(t, "", "test", "--packages", pkg, "--policy", "none", "--deterministic",
			"--eval", eval, "--cases", cases, "--json", "--replay-dir", replays)
		require.Equal(t, exitTestFailed, code, "stderr: %s", stderr)
		var rep struct{ Cases []struct{ Actual any } }
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		require.Len(t, rep.Cases, 1)
		return fmt.Sprint(rep.Cases[0].Actual)
	}
	assert.Equal(t, "1", test())
	bundle := filepath.Join(replays, "case-1.json")
	stdout, stderr, code := cli(t, "", "replay", bundle)
	assert.Equal(t, 0, code, "stderr: %s", stderr)
	assert.Equal(t, "one: fail actual=1, as recorded\n", stdout)

	runtimetest.WriteDir(t, pkg, map[string]string{"__init__.py": "VALUE = 2\n"})
	_, stderr, code = cli(t, "", "replay", bundle)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "do not hold what the recorded run's did")
	assert.Equal(t, "2", test(), "the changed package's result, not the cached one")
}
