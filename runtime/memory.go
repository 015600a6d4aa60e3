package runtime

import (
	"sync/atomic"

	"github.com/tetratelabs/wazero/experimental"
)

// pageSize is the size of a WebAssembly memory page.
const pageSize = 65536

// limitedAllocator gives one instance its linear memory, refusing to grow it
// past limit bytes. A refused memory.grow returns -1 to the guest (CPython
// raises MemoryError) and sets exceeded, so the result can say why the
// program failed.
type limitedAllocator struct {
	limit    atomic.Uint64 // bytes; a warm instance's is set at handover
	size     atomic.Uint64 // bytes the guest has now
	exceeded atomic.Bool
}

func newAllocator(limit uint64) *limitedAllocator {
	a := &limitedAllocator{}
	a.limit.Store(limit / pageSize * pageSize)
	return a
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
		m.alloc.exceeded.Store(true)
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
