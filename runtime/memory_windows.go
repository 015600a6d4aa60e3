//go:build windows

package runtime

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// reserveMemory reserves n bytes of address space. Windows charges
// committed memory against the commit limit whether or not it is touched,
// so only what the guest grows into is committed (commitMemory).
func reserveMemory(n uint64) ([]byte, error) {
	addr, err := windows.VirtualAlloc(0, uintptr(n), windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(addr)), n), nil
}

// commitMemory commits buf[:size]; committing committed pages again is a
// no-op. Fresh pages read as zero, as WebAssembly requires.
func commitMemory(buf []byte, size uint64) error {
	if size == 0 {
		return nil
	}
	_, err := windows.VirtualAlloc(uintptr(unsafe.Pointer(&buf[0])), uintptr(size), windows.MEM_COMMIT, windows.PAGE_READWRITE)
	return err
}

// releaseMemory frees the whole reservation.
func releaseMemory(buf []byte) {
	_ = windows.VirtualFree(uintptr(unsafe.Pointer(&buf[0])), 0, windows.MEM_RELEASE)
}
