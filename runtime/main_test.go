package runtime

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
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
	require.NoError(t, err, "Exec(%q)", command)
	return res
}

// assertRan checks a run's exit code and whole stdout in one comparison; a
// failure shows both, the run's stderr (which says why) and any context.
func assertRan(t *testing.T, exit int, stdout string, res *ExecResult, context ...string) bool {
	t.Helper()
	type outcome struct {
		ExitCode int
		Stdout   string
	}
	msg := fmt.Sprintf("stderr %q", res.Stderr)
	if len(context) > 0 {
		msg = strings.Join(context, " ") + "; " + msg
	}
	return assert.Equal(t, outcome{exit, stdout}, outcome{res.ExitCode, res.Stdout}, msg)
}
