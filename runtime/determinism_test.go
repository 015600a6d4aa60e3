package runtime

import (
	"context"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deterministicProgram prints everything of the host a program commonly
// sees: clocks, randomness, the string-hash key, addresses, and a timing.
const deterministicProgram = `
import time, random, os
t0 = time.perf_counter()
n = 0
for i in range(300000):
    n += i
t1 = time.perf_counter()
time.sleep(0.25)
with open("f.txt", "w") as f:
    f.write("x")
print(os.stat("f.txt").st_mtime, time.time(), time.monotonic(), time.process_time(), random.random(), os.urandom(8).hex(), hash("x"), id(object()), t1 - t0, time.monotonic(), n)
`

// spin keeps n goroutines busy until the returned function is called.
func spin(n int) func() {
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				runtime.Gosched()
			}
		}()
	}
	return func() { stop.Store(true); wg.Wait() }
}

func TestDeterministicRunsRepeat(t *testing.T) {
	exec := func(seed uint64) string {
		s := newSandbox(t, SandboxConfig{})
		res, err := s.Exec(context.Background(), "python3 -c '"+deterministicProgram+"'", ExecOptions{Deterministic: true, Seed: seed})
		require.NoError(t, err)
		require.Equal(t, 0, res.ExitCode, res.Stderr)
		return res.Stdout
	}
	want := exec(7)
	stop := spin(2)
	defer stop()
	for i := range 20 {
		assert.Equal(t, want, exec(7), "run %d", i)
	}
	stop()
	assert.NotEqual(t, want, exec(8))
	assert.True(t, strings.HasPrefix(want, "1735689600."), "the realtime clock starts at VirtualEpoch: %s", want)
}

func TestDeterministicSleepDoesNotWait(t *testing.T) {
	res := run(t, `python3 -c 'import time; a = time.time(); time.sleep(3600); print(round(time.time() - a))'`, ExecOptions{Deterministic: true})
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, "3600\n", res.Stdout)
}

func TestCPUBudgetStopsAfterSameWork(t *testing.T) {
	const budget = 50
	spinCase := func() *ExecResult {
		return run(t, `python3 -c 'while True: pass'`, ExecOptions{CPUBudget: budget})
	}
	idle := spinCase()
	stop := spin(3)
	loaded := spinCase()
	stop()
	for name, res := range map[string]*ExecResult{"idle": idle, "loaded": loaded} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, ExitTimeout, res.ExitCode)
			assert.True(t, res.TimedOut)
			assert.Equal(t, int64(budget), res.CPUUnits)
			assert.Contains(t, res.Stderr, "CPU budget of 50 units")
		})
	}
}

func TestCPUBudgetLeavesShortRunsAlone(t *testing.T) {
	res := run(t, `python3 -c 'print(sum(range(1000)))'`, ExecOptions{CPUBudget: 1000})
	assert.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, "499500\n", res.Stdout)
	assert.Less(t, res.CPUUnits, int64(1000))
}

func TestCPUBudgetNegative(t *testing.T) {
	_, err := newSandbox(t, SandboxConfig{}).Exec(context.Background(), "python3 -c pass", ExecOptions{CPUBudget: -1})
	assert.ErrorContains(t, err, "CPU budget must not be negative")
}

func TestSeedSnapshotIsReproducible(t *testing.T) {
	ctx := context.Background()
	cached, err := testEngine.seedSnapshot(ctx, 7)
	require.NoError(t, err)
	again, err := testEngine.takeSnapshot(ctx, newVirtualClock(clockOrigin, 7, "snapshot"))
	require.NoError(t, err)
	assert.Equal(t, cached.encode(), again.encode(), "a seed's snapshot is the same wherever it is taken")
	other, err := testEngine.takeSnapshot(ctx, newVirtualClock(clockOrigin, 8, "snapshot"))
	require.NoError(t, err)
	assert.NotEqual(t, cached.encode(), other.encode())
}
