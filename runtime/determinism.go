package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A deterministic run (ExecOptions.Deterministic) sees nothing of the host
// that could differ between two runs of the same job, on any machine under
// any load:
//
//   - its clocks (monotonic and realtime) advance with the work it executes,
//     not with time: by clockStep at each reading and by WorkUnitTime at
//     each preemption point (the sched_yield call a reactor build makes
//     every wasmbin.PreemptInterval loop iterations); a sleep returns at
//     once and moves the clocks by its length. The realtime clock starts at
//     VirtualEpoch.
//   - its randomness (WASI random_get: os.urandom, and the random module,
//     which warm.py reseeds from it) is a ChaCha8 stream keyed by the seed;
//   - its string-hash key is the one CPython drew from random_get when it
//     started: a deterministic run starts from a snapshot taken for its
//     seed, with that seed's stream, and the virtual clock (cached next to
//     the engine's own snapshot, one per seed);
//   - memory addresses (id()) follow, since the memory image and the
//     sequence of allocations are the same.
//
// The CPU budget (ExecOptions.CPUBudget) counts the same preemption points,
// on the host, so a run stops after the same work whatever the load.

// WorkUnitTime is how far a deterministic run's clocks move at each unit of
// work (one preemption point): about what a unit takes on one x86 core.
const WorkUnitTime = time.Millisecond

// VirtualEpoch is a deterministic run's realtime clock at its start:
// 2025-01-01T00:00:00Z.
var VirtualEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// virtualFormat names the rules of deterministic instances; it is part of
// the key of a seed's snapshot.
const virtualFormat = "wasmbox-virtual-1\n"

var clockStepString = time.Duration(clockStep).String()

// virtualTime is the state of a deterministic instance's clock.
type virtualTime struct {
	reads  atomic.Int64 // clock readings so far
	slept  atomic.Int64 // ns of sleeps so far
	random io.Reader    // the seeded stream random_get reads
}

// newVirtualClock returns a deterministic clock reading origin at start, with
// randomness from seed. purpose keeps the streams of a seed's snapshot and of
// its runs apart.
func newVirtualClock(origin int64, seed uint64, purpose string) *guestClock {
	key := sha256.Sum256([]byte("wasmbox-seed\x00" + purpose + "\x00" + strconv.FormatUint(seed, 10)))
	return &guestClock{origin: origin, virtual: &virtualTime{random: rand.NewChaCha8(key)}}
}

// elapsed is how far c has moved since its origin; each call is a reading.
func (v *virtualTime) elapsed(c *guestClock) int64 {
	return v.since(c, v.reads.Add(1))
}

// since is how far c has moved after reads readings.
func (v *virtualTime) since(c *guestClock, reads int64) int64 {
	return reads*clockStep + c.work.Load()*int64(WorkUnitTime) + v.slept.Load()
}

// walltime is the realtime clock of a deterministic instance.
func (c *guestClock) walltime() (int64, int32) {
	t := VirtualEpoch.UnixNano() + c.nanotime() - c.origin
	return t / 1e9, int32(t % 1e9)
}

// sleep, for a deterministic instance, moves its clocks by d instead of
// waiting and reports true; other instances must wait.
func (c *guestClock) sleep(d time.Duration) bool {
	if c.virtual == nil {
		return false
	}
	if d > 0 {
		c.virtual.slept.Add(int64(d))
	}
	return true
}

// seedSnapshots holds the snapshots of deterministic runs, by seed.
type seedSnapshots struct {
	mu    sync.Mutex
	snaps map[uint64]*snapshot
}

// maxSeedSnapshots bounds the seeds' snapshots an engine keeps in memory.
const maxSeedSnapshots = 8

// seedSnapshot returns the snapshot deterministic runs with seed start
// from: cached in memory, or in the cache directory, or taken now.
func (e *Engine) seedSnapshot(ctx context.Context, seed uint64) (*snapshot, error) {
	e.seeds.mu.Lock()
	defer e.seeds.mu.Unlock()
	if s, ok := e.seeds.snaps[seed]; ok {
		return s, nil
	}
	path := e.snapshotPath()
	if path != "" {
		// The virtual clock's rules go into the snapshot too.
		key := sha256.Sum256([]byte(virtualFormat + path + "\x00" + WorkUnitTime.String() + "\x00" + clockStepString))
		path = strings.TrimSuffix(path, ".mem") + "-seed" + strconv.FormatUint(seed, 10) + "-" + hex.EncodeToString(key[:4]) + ".mem"
	}
	s := readSnapshot(path)
	if s == nil {
		var err error
		if s, err = e.takeSnapshot(ctx, newVirtualClock(clockOrigin, seed, "snapshot")); err != nil {
			return nil, fmt.Errorf("wasmbox: taking the snapshot for seed %d: %w", seed, err)
		}
		if path != "" {
			if err := writeChecked(path, s.encode()); err != nil {
				slog.Warn("wasmbox: could not cache a seed's snapshot", "path", path, "err", err)
			}
		}
	}
	if e.seeds.snaps == nil || len(e.seeds.snaps) >= maxSeedSnapshots {
		e.seeds.snaps = map[uint64]*snapshot{}
	}
	e.seeds.snaps[seed] = s
	return s, nil
}

// runDeterministic runs j as a deterministic job (see the top of this
// file): in an instance restored from its seed's snapshot when the engine
// has snapshots and the job can run warm, else in a fresh instance, which
// draws its hash key from the seeded stream as it starts.
func (e *Engine) runDeterministic(ctx context.Context, j job, started func()) (err, stopped error, alloc *limitedAllocator, work int64) {
	if warm := warmArgv(j.argv); warm != nil && !configuresInterpreter(j.env) && e.snap != nil {
		snap, err := e.seedSnapshot(ctx, j.seed)
		if err != nil {
			return nil, err, newAllocator(0), 0
		}
		if snap.size <= j.memoryLimit {
			started()
			wj := j
			wj.argv = warm
			clk := newVirtualClock(snap.clock, j.seed, "run")
			defer j.fs.clock.attach(clk)()
			w := e.startWarmFrom(ctx, snap, clk)
			if err, stopped, ok := w.run(ctx, wj); ok {
				return err, stopped, w.alloc, w.work()
			}
		}
	}
	clk := newVirtualClock(clockOrigin, j.seed, "run")
	defer j.fs.clock.attach(clk)()
	return e.runFresh(ctx, j, clk)
}

// fsClock is what a sandbox's filesystem stamps files with: the realtime
// clock of the deterministic run in progress, if any; else VirtualEpoch once
// frozen (a sandbox made for deterministic runs: PythonRunner and EvalTester
// freeze it before writing the code in); else the host's time.
type fsClock struct {
	frozen atomic.Bool
	run    atomic.Pointer[guestClock]
}

// freeze stamps later writes with VirtualEpoch outside deterministic runs.
func (c *fsClock) freeze() { c.frozen.Store(true) }

// attach makes the deterministic run with clock g stamp the files it
// writes; the returned function detaches it.
func (c *fsClock) attach(g *guestClock) func() {
	c.freeze()
	c.run.Store(g)
	return func() { c.run.CompareAndSwap(g, nil) }
}

// now is the time, in ns since the Unix epoch, to stamp a file with.
func (m *memFS) now() int64 {
	if g := m.clock.run.Load(); g != nil {
		// Not a reading: what the guest's clocks show is the same whatever
		// its files hold.
		return VirtualEpoch.UnixNano() + g.virtual.since(g, g.virtual.reads.Load())
	}
	if m.clock.frozen.Load() {
		return VirtualEpoch.UnixNano()
	}
	return time.Now().UnixNano()
}
