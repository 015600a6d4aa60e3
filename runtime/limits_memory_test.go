package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMemoryBombsStopped: a guest that meets its memory limit and keeps
// failing to grow is stopped with 137 after MemoryGrace, as a container's
// OOM kill would stop it, not at the timeout (issue 12: the recursion bomb
// ran on for the whole timeout, burning CPU).
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
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{})
			require.NoError(t, s.WriteFile("/tmp/bomb.py", []byte(code)))
			res := execIn(t, s, "python3 /tmp/bomb.py", ExecOptions{MemoryLimit: 64 << 20})
			assert.Equal(t, ExitMemory, res.ExitCode, res.Stderr)
			assert.True(t, res.MemoryExceeded)
			assert.False(t, res.TimedOut, "stopped at the limit, not at the %v timeout", testTimeout)
			assert.Contains(t, res.Stderr, "kept failing to grow its memory")
		})
	}
}

// TestMemoryErrorThenWork: meeting the limit, catching the MemoryError and
// working on for longer than MemoryGrace is not a bomb, whether the failed
// allocation was one oversized block or the last of many small ones (the
// memory then full), as when one eval case raises MemoryError and the next
// cases run in the same instance.
func TestMemoryErrorThenWork(t *testing.T) {
	for name, alloc := range map[string]string{
		"one oversized block": `b = bytearray(200 << 20)`,
		"memory filled":       `b = [bytearray(1 << 16) for _ in range(1 << 20)]`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{})
			require.NoError(t, s.WriteFile("/tmp/work.py", []byte(`
import time
try:
    `+alloc+`
except MemoryError:
    print("caught")
b = None
end = time.monotonic() + 1.5
n = 0
while time.monotonic() < end:
    n += 1
print("worked on")
`)))
			res := execIn(t, s, "python3 /tmp/work.py", ExecOptions{MemoryLimit: 64 << 20})
			assert.Equal(t, 0, res.ExitCode, res.Stderr)
			assert.Equal(t, "caught\nworked on\n", res.Stdout)
			assert.True(t, res.MemoryExceeded)
		})
	}
}
