package runtime

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// testEngine is shared by every test in the package: compiling the
// interpreter is the expensive part, and the compilation cache
// ($WASMBOX_CACHE_DIR, set by the Makefile) makes it a load after the first
// package that needs it.
var testEngine *Engine

func TestMain(m *testing.M) {
	ctx := context.Background()
	e, err := NewEngine(ctx, EngineConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testEngine = e
	code := m.Run()
	e.Close(ctx)
	os.Exit(code)
}

// testTimeout is the timeout of test runs that are expected to finish: long,
// because `go test -race ./...` runs packages side by side on a small machine.
const testTimeout = time.Minute

// newSandbox returns a sandbox on the shared engine, destroyed at the end of
// the test. Its timeout is testTimeout unless cfg sets one.
func newSandbox(t *testing.T, cfg SandboxConfig) *Sandbox {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	s, err := testEngine.NewSandbox(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Destroy() })
	return s
}

// run execs command in a new default sandbox and fails the test on a
// sandbox error.
func run(t *testing.T, command string, opts ExecOptions) *ExecResult {
	t.Helper()
	return execIn(t, newSandbox(t, SandboxConfig{}), command, opts)
}

func execIn(t *testing.T, s *Sandbox, command string, opts ExecOptions) *ExecResult {
	t.Helper()
	res, err := s.Exec(context.Background(), command, opts)
	if err != nil {
		t.Fatalf("Exec(%q): %v", command, err)
	}
	return res
}
