package shell

import (
	"context"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// checkLimits stops the command line when it runs too many jobs at once or
// nests too deep. The interpreter calls it before every command.
//
// Jobs are counted as the process's goroutines above their number when the
// command line started: the interpreter runs each pipeline stage and
// background job on one, and gives no other hook to count them. A
// concurrent command line's goroutines count too; a fork bomb passes the
// limit in milliseconds either way.
func (sh *cmdline) checkLimits() error {
	if err := sh.stopErr(); err != nil {
		return err
	}
	if runtime.NumGoroutine()-sh.goroutines > MaxJobs {
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
// than MaxHeapGrowth while it runs, until ctx is done. The interpreter keeps
// variables, expansions and here-documents in the host's memory, and gives
// no hook to count them: x=$x$x in a loop doubles a string each time. The
// heap is the whole process's, so another command line's growth counts
// too; the limit is set far above what scripts hold.
func (sh *cmdline) watchHeap(ctx context.Context) {
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	base := sample[0].Value.Uint64()
	tick := time.NewTicker(heapTick)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			metrics.Read(sample)
			if sample[0].Value.Uint64() > base+MaxHeapGrowth {
				sh.stop(ErrTooMuchMemory)
				return
			}
		}
	}
}

// heapTick is how often watchHeap looks at the heap.
const heapTick = 5 * time.Millisecond
