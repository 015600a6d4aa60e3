//go:build linux

package runtime

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// baseMapping holds a context base image in a sealed memfd. A context's
// memory maps it copy-on-write over its first bytes (one mmap call instead
// of writing the snapshot), and all contexts of the engine share its pages
// until they write them.
type baseMapping struct {
	fd   int
	view []byte // the image, mapped read-only
}

// newBaseMapping copies image into a sealed memfd.
func newBaseMapping(image []byte) (*baseMapping, error) {
	fd, err := unix.MemfdCreate("wasmbox-context-base", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	b := &baseMapping{fd: fd}
	for rest := image; len(rest) > 0; {
		n, err := unix.Write(fd, rest)
		if err != nil {
			b.close()
			return nil, err
		}
		rest = rest[n:]
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE|unix.F_SEAL_SEAL); err != nil {
		b.close()
		return nil, err
	}
	if b.view, err = unix.Mmap(fd, 0, len(image), unix.PROT_READ, unix.MAP_SHARED); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// mapOver maps the image, private and writable, over buf's first bytes.
func (b *baseMapping) mapOver(buf []byte) error {
	if len(buf) < len(b.view) {
		return fmt.Errorf("wasmbox: a memory of %d bytes cannot hold the %d-byte context base", len(buf), len(b.view))
	}
	_, err := unix.MmapPtr(b.fd, 0, unsafe.Pointer(&buf[0]), uintptr(len(b.view)), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_FIXED)
	return err
}

// close releases the memfd and the view; mappings made by mapOver stay.
func (b *baseMapping) close() {
	if b.view != nil {
		unix.Munmap(b.view)
		b.view = nil
	}
	unix.Close(b.fd)
}
