package runtime

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime/runtimetest"
	"github.com/wasmbox/wasmbox/validate"
)

// testPackages writes the test package wbpkg as a directory, a zip and a
// wheel, and returns their paths by kind.
func testPackages(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := runtimetest.PackageFiles("wbpkg")
	return map[string]string{
		"dir":   runtimetest.WriteDir(t, filepath.Join(dir, "wbpkg"), map[string]string{"__init__.py": files["wbpkg/__init__.py"], "text.py": files["wbpkg/text.py"], "greeting.txt": files["wbpkg/greeting.txt"]}),
		"zip":   runtimetest.WriteZip(t, filepath.Join(dir, "wbpkg.zip"), files),
		"wheel": runtimetest.WriteWheel(t, dir, "wbpkg", "1.0", "py3-none-any", true, files),
	}
}

func loadPackages(t *testing.T, paths ...string) *Packages {
	t.Helper()
	p, err := LoadPackages(paths...)
	require.NoError(t, err)
	return p
}

// runWith runs code under the named policy (allowing allow) with pkgs.
func runWith(t *testing.T, pkgs *Packages, policy string, allow []string, code string) *ExecResult {
	t.Helper()
	p, err := validate.PolicyByName(policy)
	require.NoError(t, err)
	p, err = p.WithAllowedImports(allow...)
	require.NoError(t, err)
	r, err := NewPythonRunner(testEngine, RunnerConfig{Policy: &p, Sandbox: SandboxConfig{Timeout: testTimeout, Packages: pkgs}})
	require.NoError(t, err)
	res, err := r.Run(context.Background(), []byte(code), nil, ExecOptions{})
	require.NoError(t, err)
	return res
}

const usePackage = "import wbpkg, wbpkg.text\nprint(wbpkg.top('b a b'), wbpkg.text.words('X y'), wbpkg.greeting())\n"

func TestPackagesImport(t *testing.T) {
	for kind, path := range testPackages(t) {
		pkgs := loadPackages(t, path)
		for _, policy := range []string{"none", "stdlib", "strict"} {
			t.Run(kind+"/"+policy, func(t *testing.T) {
				res := runWith(t, pkgs, policy, []string{"wbpkg"}, usePackage)
				assertRan(t, 0, "b ['x', 'y'] hello from wbpkg\n", res)
			})
		}
	}
}
