package runtime

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

// spinFor is Python that keeps the guest busy for secs seconds: long enough,
// past a MemoryError, to use up MemoryAftermath on any host fast enough to
// run these tests (a few hundred preemption points a second).
func spinFor(secs float64) string {
	return fmt.Sprintf(`
import time
end = time.monotonic() + %v
n = 0
while time.monotonic() < end:
    n += 1
`, secs)
}

// instanceStarts are the environments that run a job in an instance
// restored from the snapshot (warm) and in a fresh one (a PYTHON* variable
// must take effect at start-up).
var instanceStarts = map[string]map[string]string{
	"warm":  nil,
	"fresh": {"PYTHONHASHSEED": "0"},
}

// TestMemoryBombsStopped: a guest that meets its memory limit and keeps
// failing to grow, or runs on long after it first failed, is stopped with
// 137 as a container's OOM kill would stop it, not at the timeout (issue 12:
// the recursion bomb ran on for the whole timeout, burning CPU; its grows
// may all be refused at once, and its unwinding then runs for minutes).
func TestMemoryBombsStopped(t *testing.T) {
	for name, code := range map[string]string{
		"recursion under a raised limit": `
import sys
sys.setrecursionlimit(10**7)
def f(n):
    return f(n + 1) + 1
f(0)`,
		"loop swallowing MemoryError": `
x = []
while True:
    try:
        x.append(bytearray(1 << 20))
    except MemoryError:
        pass`,
		"one MemoryError, then working on": `
try:
    b = bytearray(200 << 20)
except MemoryError:
    pass
` + spinFor(2*testTimeout.Seconds()),
	} {
		for start, env := range instanceStarts {
			t.Run(name+"/"+start, func(t *testing.T) {
				s := newSandbox(t, SandboxConfig{})
				require.NoError(t, s.WriteFile("/tmp/bomb.py", []byte(code)))
				res := execIn(t, s, "python3 /tmp/bomb.py", ExecOptions{MemoryLimit: 64 << 20, Env: env})
				assert.Equal(t, ExitMemory, res.ExitCode, res.Stderr)
				assert.True(t, res.MemoryExceeded)
				assert.False(t, res.TimedOut, "stopped at the limit, not at the %v timeout", testTimeout)
				assert.Contains(t, res.Stderr, "kept failing to grow its memory")
			})
		}
	}
}

// TestMemoryErrorCaughtThenFinished: meeting the limit, catching the
// MemoryError and finishing promptly is not a bomb, whether the failed
// allocation was one oversized block or the last of many small ones (the
// memory then full): the program exits with its own status, 0.
func TestMemoryErrorCaughtThenFinished(t *testing.T) {
	for name, alloc := range map[string]string{
		"one oversized block": `b = bytearray(200 << 20)`,
		"memory filled":       `b = [bytearray(1 << 16) for _ in range(1 << 20)]`,
	} {
		for start, env := range instanceStarts {
			t.Run(name+"/"+start, func(t *testing.T) {
				s := newSandbox(t, SandboxConfig{})
				require.NoError(t, s.WriteFile("/tmp/work.py", []byte(`
try:
    `+alloc+`
except MemoryError:
    print("caught")
b = None
print(sum(range(10**5)))
`)))
				res := execIn(t, s, "python3 /tmp/work.py", ExecOptions{MemoryLimit: 64 << 20, Env: env})
				assert.Equal(t, 0, res.ExitCode, res.Stderr)
				assert.Equal(t, "caught\n4999950000\n", res.Stdout)
				assert.True(t, res.MemoryExceeded)
			})
		}
	}
}

// TestContextSurvivesMemoryErrorCell: the end of a cell is a job boundary.
// Cells run after one that raised MemoryError, for longer in all than
// MemoryAftermath allows one job, keep the context.
func TestContextSurvivesMemoryErrorCell(t *testing.T) {
	c := newContext(t, ContextOptions{MemoryLimit: 64 << 20})
	x := runCell(t, c, "b = bytearray(200 << 20)")
	require.NotNil(t, x.Error)
	assert.Equal(t, "MemoryError", x.Error.Name)
	for i := range 4 {
		x = runCell(t, c, spinFor(1.5)+"\n'spun'")
		assert.Nil(t, x.Error, "cell %d", i)
		assert.Equal(t, []string{"'spun'"}, texts(x), "cell %d", i)
	}
	assert.NoError(t, c.Err())
}

// TestContextMemoryBombLosesContext: a cell that keeps running long after
// its memory ran out is stopped as a container's OOM kill would stop it, not
// at the cell's timeout; the context is lost, with a MemoryError.
func TestContextMemoryBombLosesContext(t *testing.T) {
	c := newContext(t, ContextOptions{MemoryLimit: 64 << 20, Timeout: testTimeout})
	x, err := c.Run(context.Background(), `
import sys
sys.setrecursionlimit(10**7)
def f(n):
    return f(n + 1) + 1
f(0)`, RunOptions{})
	require.NoError(t, err)
	require.NotNil(t, x.Error)
	assert.Equal(t, "MemoryError", x.Error.Name, x.Error.Message)
	assert.ErrorIs(t, c.Err(), ErrContextLost)
}

// TestEvalTesterMemoryErrorThenSlowCase: a case that raised MemoryError and
// replied does not count against the next case in the same instance, which
// is judged as usual however long (within its timeout) it works.
func TestEvalTesterMemoryErrorThenSlowCase(t *testing.T) {
	code := `
def evaluate(x):
    if x == "hog":
        return len(bytearray(200 << 20))
` + indent(spinFor(6)) + `
    return x
`
	none, err := validate.PolicyByName("none") // the strict policy forbids time
	require.NoError(t, err)
	rep := testEval(t, TesterConfig{MemoryLimit: 64 << 20, Policy: &none}, code, `[{"input": "hog"}, {"name": "slow", "input": 2, "expected": 2}]`)
	require.Equal(t, "error,pass", statuses(rep), "%+v", rep)
	require.NotNil(t, rep.Cases[0].Error)
	assert.Equal(t, "MemoryError", rep.Cases[0].Error.Type)
}

// indent indents Python source into a function body.
func indent(src string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(src), "\n", "\n    ")
}
