package runtime_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// Packages make pure-Python code importable; under a policy, user code may
// import them only when the policy allows them by name.
func ExampleLoadPackages() {
	dir, err := os.MkdirTemp("", "pkg")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	pkg := filepath.Join(dir, "greet")
	os.Mkdir(pkg, 0o755)
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("def hello(name):\n    return 'hello, ' + name\n"), 0o644)

	pkgs, err := runtime.LoadPackages(pkg) // also a .zip or a pure-Python .whl
	if err != nil {
		panic(err)
	}
	fmt.Println(pkgs.SysPath())

	ctx := context.Background()
	e, err := runtime.NewEngine(ctx, runtime.EngineConfig{})
	if err != nil {
		panic(err)
	}
	defer e.Close(ctx)
	policy, _ := validate.PolicyByName("strict")
	policy, _ = policy.WithAllowedImports("greet")
	r, err := runtime.NewPythonRunner(e, runtime.RunnerConfig{Policy: &policy, Sandbox: runtime.SandboxConfig{Packages: pkgs}})
	if err != nil {
		panic(err)
	}
	res, err := r.Run(ctx, []byte("import greet\nprint(greet.hello('world'))"), nil, runtime.ExecOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Print(res.Stdout)
	// Output:
	// [/opt/wasmbox/packages/greet]
	// hello, world
}
