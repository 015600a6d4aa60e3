package runtime

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"time"

	"github.com/tetratelabs/wazero/experimental"
)

// pageSize is the size of a WebAssembly memory page.
const pageSize = 65536

// MemoryGrace is how long a guest that meets its memory limit is watched
// for failing to grow again: the first refused grow opens the window, and
// at its end the guest is stopped with exit 137 (as a container's OOM kill
// would stop it) if its grows were still being refused a quarter of the way
// in or later: it kept failing to grow (a loop swallowing MemoryError).
const MemoryGrace = time.Second

// MemoryAftermath bounds what a guest may do after its first refused grow,
// in guest work rather than wall time so that the outcome does not depend on
// the host's load: it is counted in the preemption points the guest passes
// (one every wasmbin.PreemptInterval loop iterations; on a 2-core host a
// few hundred a second). A guest still running when it has passed this many
// since the refusal is stopped with exit 137, however its grows fare now: a
// recursion bomb under a raised recursion limit fails to grow only for a
// moment, then spends minutes unwinding and formatting its traceback, where
// a container would have been OOM-killed at once. The count restarts at a
// job boundary the host sees: a warm instance's handover, the end of a code
// context's cell, an eval case handed to the tester's harness. So a program
// that catches a MemoryError and finishes promptly exits with its own
// status, a context survives a cell that raised MemoryError, and the next
// case of an eval run in the same instance is judged as usual.
const MemoryAftermath = 1024

// errMemoryKilled is why a guest that kept failing to grow was stopped.
var errMemoryKilled = errors.New("wasmbox: the program kept failing to grow its memory past the limit")

// limitedAllocator gives one instance its linear memory, refusing to grow it
// past limit bytes. A refused memory.grow returns -1 to the guest (CPython
// raises MemoryError) and sets exceeded, so the result can say why the
// program failed; see MemoryGrace and MemoryAftermath for when stop is
// called.
type limitedAllocator struct {
	limit    atomic.Uint64 // bytes; a warm instance's is set at handover
	size     atomic.Uint64 // bytes the guest has now
	exceeded atomic.Bool

	stop        func()       // stops the instance; nil (no watch) unless set before it starts
	stopped     atomic.Bool  // stop was called
	watchStart  atomic.Int64 // sinceEpoch() of the refusal that opened the MemoryGrace window; 0 when none is open
	lastRefusal atomic.Int64 // sinceEpoch() of the latest refusal
	aftermath   atomic.Bool  // a grow was refused since the last job boundary
	yields      atomic.Int64 // preemption points passed since then
}

func newAllocator(limit uint64) *limitedAllocator {
	a := &limitedAllocator{}
	a.limit.Store(limit / pageSize * pageSize)
	return a
}

// refuse records a refused grow; the first one opens a MemoryGrace window
// judged at its end, and the first since the last job boundary starts the
// MemoryAftermath count.
func (a *limitedAllocator) refuse() {
	a.exceeded.Store(true)
	if a.stop == nil {
		return
	}
	now := sinceEpoch()
	a.lastRefusal.Store(now)
	a.aftermath.Store(true)
	if a.watchStart.CompareAndSwap(0, now) {
		time.AfterFunc(MemoryGrace, func() { a.judge(now) })
	}
}

// judge ends the window opened at start: the instance is stopped if grows
// were still refused a quarter of the way in or later; else the next
// refusal opens a new one. A window a job boundary closed is let go.
func (a *limitedAllocator) judge(start int64) {
	if a.watchStart.Load() != start {
		return
	}
	if a.lastRefusal.Load()-start >= int64(MemoryGrace)/4 {
		a.kill()
		return
	}
	a.watchStart.CompareAndSwap(start, 0)
}

// yielded counts a preemption point the guest passed, and stops it when it
// is past its MemoryAftermath.
func (a *limitedAllocator) yielded() {
	if a.aftermath.Load() && a.yields.Add(1) > MemoryAftermath {
		a.kill()
	}
}

// disarm marks a job boundary: the watch starts over, as if no grow had
// been refused (exceeded, which the result reports, stays).
func (a *limitedAllocator) disarm() {
	a.aftermath.Store(false)
	a.yields.Store(0)
	a.watchStart.Store(0)
}

// kill stops the instance, once.
func (a *limitedAllocator) kill() {
	if a.stopped.CompareAndSwap(false, true) {
		a.stop()
	}
}

// memoryWatchKey is the context key of the allocator whose watch counts an
// instance's preemption points.
type memoryWatchKey struct{}

// withMemoryWatch has schedYield count the guest's work for a.
func withMemoryWatch(ctx context.Context, a *limitedAllocator) context.Context {
	return context.WithValue(ctx, memoryWatchKey{}, a)
}

// memoryWatchOf returns the allocator withMemoryWatch set, or nil.
func memoryWatchOf(ctx context.Context) *limitedAllocator {
	a, _ := ctx.Value(memoryWatchKey{}).(*limitedAllocator)
	return a
}

// disarmingReader is a guest's standard input on which every read that
// brings data is a job boundary (the eval tester handing its harness the
// next case): it disarms the memory watch.
type disarmingReader struct {
	r     io.Reader
	alloc *limitedAllocator
}

func (d *disarmingReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if n > 0 {
		d.alloc.disarm()
	}
	return n, err
}

// Allocate implements experimental.MemoryAllocator. It reserves address space
// for the whole limit up front, so growing never copies the memory.
func (a *limitedAllocator) Allocate(capacity, maxBytes uint64) experimental.LinearMemory {
	reserve := min(a.limit.Load(), maxBytes)
	if reserve < capacity {
		reserve = capacity
	}
	return &mmapMemory{alloc: a, reserve: reserve}
}

// mmapMemory is a linear memory in reserved address space (an anonymous
// private mapping on unix, a VirtualAlloc reservation on Windows; see
// memory_unix.go and memory_windows.go). Pages the guest never touches cost
// no RAM.
type mmapMemory struct {
	alloc   *limitedAllocator
	reserve uint64
	buf     []byte // the whole mapping; the guest sees buf[:size]
}

// Reallocate implements experimental.LinearMemory.
func (m *mmapMemory) Reallocate(size uint64) []byte {
	if size > m.alloc.limit.Load() {
		m.alloc.refuse()
		return nil
	}
	if size > m.reserve {
		return nil
	}
	if m.buf == nil {
		if m.reserve == 0 {
			return []byte{}
		}
		buf, err := reserveMemory(m.reserve)
		if err != nil {
			return nil
		}
		m.buf = buf
	}
	if commitMemory(m.buf, size) != nil {
		return nil
	}
	m.alloc.size.Store(size)
	return m.buf[:size]
}

// Free implements experimental.LinearMemory.
func (m *mmapMemory) Free() {
	if m.buf != nil {
		releaseMemory(m.buf)
		m.buf = nil
	}
}
