package shell

import (
	"bytes"
	"context"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// checkLimits stops the command line when it runs too many jobs at once or
// nests too deep. The interpreter calls it before every command.
//
// The interpreter runs each pipeline stage and background job on a
// goroutine of its own and gives no hook to count them, so jobs are
// goroutines: when the process has MaxJobs more than when the command line
// started, the ones carrying its label are counted (see ownGoroutines).
func (sh *cmdline) checkLimits() error {
	if err := sh.stopErr(); err != nil {
		return err
	}
	if runtime.NumGoroutine()-sh.goroutines > MaxJobs && sh.ownGoroutines() > MaxJobs {
		return sh.stop(ErrTooManyJobs)
	}
	// Counting frames costs time in proportion to the depth, so one check in
	// depthSample does it, at random: a recursion that goes on is caught
	// within a few hundred calls past the limit.
	if rand.IntN(depthSample) == 0 && stackDepth() > MaxFrames {
		return sh.stop(ErrTooDeep)
	}
	return nil
}

// depthSample is how often, on average, checkLimits counts the stack.
const depthSample = 32

// frames holds buffers for stackDepth.
var frames = sync.Pool{New: func() any { b := make([]uintptr, MaxFrames+1); return &b }}

// stackDepth counts the frames of the calling goroutine's stack, up to
// MaxFrames+1.
func stackDepth() int {
	b := frames.Get().(*[]uintptr)
	n := runtime.Callers(0, *b)
	frames.Put(b)
	return n
}

// heapMetric is the Go heap's size in bytes (objects, live or not yet
// swept), cheap to read: no stop of the world.
const heapMetric = "/memory/classes/heap/objects:bytes"

// watchHeap stops the command line when the process's Go heap grows by more
// than limit (MaxHeapGrowth) while it runs, until ctx is done. The interpreter keeps
// variables, expansions and here-documents in the host's memory, and gives
// no hook to count them: x=$x$x in a loop doubles a string each time. The
// heap is the whole process's, so another command line's growth counts
// too; the limit is set far above what scripts hold. A statement already
// running ends before the command line stops: the doubling above gets one
// more step.
//
// Growth from HostWork does not count: while it runs the heap is not
// judged, and after it the heap's size then is the new base.
func (sh *cmdline) watchHeap(ctx context.Context, limit uint64) {
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	epoch := hostEpoch.Load()
	tick := time.NewTicker(heapTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if hostWork.Load() > 0 {
				continue
			}
			metrics.Read(sample)
			if e := hostEpoch.Load(); e != epoch {
				epoch, base = e, max(base, sample[0].Value.Uint64())
				continue
			}
			if sample[0].Value.Uint64() > base+limit {
				sh.stop(ErrTooMuchMemory)
				return
			}
		}
	}
}

// hostWork counts the HostWork calls running; hostEpoch changes when one
// ends.
var (
	hostWork  atomic.Int64
	hostEpoch atomic.Uint64
)

// HostWork runs fn, a host operation that may grow the process's Go heap by
// more than a command line may (an engine compiling an interpreter module
// and taking its snapshot, on a python3 command's first need of it), so
// that command lines running meanwhile do not count that growth against
// MaxHeapGrowth.
func HostWork(fn func()) {
	hostWork.Add(1)
	defer func() {
		hostEpoch.Add(1)
		hostWork.Add(-1)
	}()
	fn()
}

// heapGrowthLimit is MaxHeapGrowth; tests lower it.
var heapGrowthLimit uint64 = MaxHeapGrowth

// heapTick is how often watchHeap looks at the heap.
const heapTick = 5 * time.Millisecond

// jobLabel is the goroutine label (runtime/pprof) that marks a command
// line's goroutines; the goroutines the interpreter starts inherit it.
const jobLabel = "wasmbox-shell"

// jobsRecount is how long a count of ownGoroutines holds.
const jobsRecount = 20 * time.Millisecond

// ownGoroutines counts the goroutines that carry this command line's label,
// from a goroutine profile. It costs a stop of the world and a walk of every
// stack, so it runs only past the cheap check and at most once in
// jobsRecount.
func (sh *cmdline) ownGoroutines() int {
	sh.jobsMu.Lock()
	defer sh.jobsMu.Unlock()
	if time.Since(sh.jobsAt) < jobsRecount {
		return sh.jobs
	}
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 1)
	n, group := 0, 0
	for _, line := range strings.Split(b.String(), "\n") {
		if count, _, ok := strings.Cut(line, " @ "); ok && !strings.HasPrefix(line, "#") {
			group, _ = strconv.Atoi(count)
		} else if strings.HasPrefix(line, "# labels: ") && strings.Contains(line, sh.label) {
			n += group
		}
	}
	sh.jobs, sh.jobsAt = n, time.Now()
	return n
}
