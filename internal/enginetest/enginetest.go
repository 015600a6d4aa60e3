// Package enginetest holds the TestMain of packages whose tests share one
// runtime.Engine (compiling the interpreter is slow, so a package's tests
// make it once).
package enginetest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/wasmbox/wasmbox/runtime"
)

// Main sets *engine to an engine with the default config, runs the
// package's tests, closes the engine and exits with the tests' status; an
// engine that cannot be made exits 1 with the error.
func Main(m *testing.M, engine **runtime.Engine) {
	e, err := runtime.NewEngine(context.Background(), runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
	*engine = e
	code := m.Run()
	e.Close(context.Background())
	os.Exit(code)
}
