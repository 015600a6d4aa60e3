package runtime

import (
	"errors"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/tetratelabs/wazero/experimental"
)

// pageSize is the size of a WebAssembly memory page.
const pageSize = 65536

// MemoryGrace is how long a guest that meets its memory limit is watched
// before it may be stopped with exit 137, as a container's OOM kill would
// stop it. The first refused grow opens the window; at its end the guest is
// stopped if its grows were still being refused a quarter of the way in or
// later: it kept failing to grow (a recursion bomb under a raised recursion
// limit, whose unwinding fails for a while and then spins on; a loop
// swallowing MemoryError). A program whose allocation fails once (or a few
// times at once), and which catches the MemoryError and carries on, is not
// stopped; nor is the next case of an eval run in the same instance.
const MemoryGrace = time.Second

// errMemoryKilled is why a guest that kept failing to grow was stopped.
var errMemoryKilled = errors.New("wasmbox: the program kept failing to grow its memory past the limit")

// limitedAllocator gives one instance its linear memory, refusing to grow it
// past limit bytes. A refused memory.grow returns -1 to the guest (CPython
// raises MemoryError) and sets exceeded, so the result can say why the
// program failed; see MemoryGrace for when stop is called.
type limitedAllocator struct {
	limit    atomic.Uint64 // bytes; a warm instance's is set at handover
	size     atomic.Uint64 // bytes the guest has now
	exceeded atomic.Bool

	stop        func()       // stops the instance; set before it starts
	stopped     atomic.Bool  // stop was called
	watchStart  atomic.Int64 // sinceEpoch() of the refusal that opened the window; 0 when none is open
	lastRefusal atomic.Int64 // sinceEpoch() of the latest refusal
}

func newAllocator(limit uint64) *limitedAllocator {
	a := &limitedAllocator{}
	a.limit.Store(limit / pageSize * pageSize)
	return a
}

// refuse records a refused grow; the first one opens a MemoryGrace window
// judged at its end.
func (a *limitedAllocator) refuse() {
	a.exceeded.Store(true)
	now := sinceEpoch()
	a.lastRefusal.Store(now)
	if a.stop != nil && a.watchStart.CompareAndSwap(0, now) {
		time.AfterFunc(MemoryGrace, a.judge)
	}
}

// judge ends a window: the instance is stopped if grows were still refused
// a quarter of the way in or later; else the next refusal opens a new one.
func (a *limitedAllocator) judge() {
	start := a.watchStart.Load()
	if a.lastRefusal.Load()-start >= int64(MemoryGrace)/4 {
		if a.stopped.CompareAndSwap(false, true) {
			a.stop()
		}
		return
	}
	a.watchStart.CompareAndSwap(start, 0)
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

// mmapMemory is a linear memory in an anonymous private mapping. Pages the
// guest never touches cost no RAM.
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
		buf, err := syscall.Mmap(-1, 0, int(m.reserve), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
		if err != nil {
			return nil
		}
		m.buf = buf
	}
	m.alloc.size.Store(size)
	return m.buf[:size]
}

// Free implements experimental.LinearMemory.
func (m *mmapMemory) Free() {
	if m.buf != nil {
		_ = syscall.Munmap(m.buf)
		m.buf = nil
	}
}
