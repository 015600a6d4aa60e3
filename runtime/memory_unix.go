//go:build unix

package runtime

import "syscall"

// reserveMemory maps n bytes of anonymous private memory without reserving
// swap: pages are backed by RAM only when the guest touches them.
func reserveMemory(n uint64) ([]byte, error) {
	return syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
}

// commitMemory makes buf[:size] usable; a mapping already is.
func commitMemory(buf []byte, size uint64) error { return nil }

// releaseMemory unmaps buf.
func releaseMemory(buf []byte) { _ = syscall.Munmap(buf) }
