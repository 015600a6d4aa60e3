package runtime

import (
	"context"
	"io/fs"
	"sync/atomic"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// DefaultMaxOpenFiles is the default cap on one instance's open file
// descriptors (SandboxConfig.MaxOpenFiles), as RLIMIT_NOFILE's usual soft
// limit.
const DefaultMaxOpenFiles = 1024

// instanceFS is the root filesystem one instance sees: the sandbox's,
// with the instance's own descriptor count. Every descriptor wazero opens
// for the instance goes through OpenFile and leaves through the file's
// Close (wazero closes what is left when the instance ends), so the count
// is exact. The cap is kept where the guest opens files, WASI's path_open
// (see wasiErrnos): OpenFile itself never refuses for it, since wazero also
// opens a preopened directory lazily, at its first use, and cannot take a
// refusal there.
type instanceFS struct {
	experimentalsys.FS
	st *instanceState
}

// instanceState is what the host tracks of one instance's filesystem use.
// wazero's WASI layer turns errnos it does not know into EIO, so a failure
// the guest should see as ENOSPC is noted here for the WASI functions
// wasmbox wraps (wasiErrnos) to report.
type instanceState struct {
	maxOpen atomic.Int64
	open    atomic.Int64
	outOfFS atomic.Bool // the last write or create failed at a filesystem cap
}

// newInstanceState returns the state of an instance that may hold maxOpen
// descriptors (DefaultMaxOpenFiles when not positive).
func newInstanceState(maxOpen int) *instanceState {
	st := &instanceState{}
	st.setMaxOpen(maxOpen)
	return st
}

// setMaxOpen sets the descriptor cap (DefaultMaxOpenFiles when not
// positive).
func (st *instanceState) setMaxOpen(n int) {
	if n <= 0 {
		n = DefaultMaxOpenFiles
	}
	st.maxOpen.Store(int64(n))
}

// atCap reports whether the instance holds as many descriptors as it may.
func (st *instanceState) atCap() bool { return st.open.Load() >= st.maxOpen.Load() }

type instanceKey struct{}

// withInstance gives the instance's host functions its state.
func withInstance(ctx context.Context, st *instanceState) context.Context {
	return context.WithValue(ctx, instanceKey{}, st)
}

func instanceOf(ctx context.Context) *instanceState {
	st, _ := ctx.Value(instanceKey{}).(*instanceState)
	return st
}

// note records errno's reason when it is the filesystem's "no space".
func (st *instanceState) note(errno experimentalsys.Errno) experimentalsys.Errno {
	if errno == errNoSpace {
		st.outOfFS.Store(true)
	}
	return errno
}

// OpenFile implements experimentalsys.FS, counting the descriptor.
func (f *instanceFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	file, errno := f.FS.OpenFile(p, flag, perm)
	if errno != 0 {
		return nil, f.st.note(errno)
	}
	f.st.open.Add(1)
	return &instanceFile{File: file, st: f.st}, 0
}

// Mkdir implements experimentalsys.FS.
func (f *instanceFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	return f.st.note(f.FS.Mkdir(p, perm))
}

// Symlink implements experimentalsys.FS.
func (f *instanceFS) Symlink(target, linkPath string) experimentalsys.Errno {
	return f.st.note(f.FS.Symlink(target, linkPath))
}

// Link implements experimentalsys.FS.
func (f *instanceFS) Link(oldPath, newPath string) experimentalsys.Errno {
	return f.st.note(f.FS.Link(oldPath, newPath))
}

// instanceFile is a file an instance has open.
type instanceFile struct {
	experimentalsys.File
	st     *instanceState
	closed atomic.Bool
}

// Close implements experimentalsys.File: the descriptor leaves the count.
func (f *instanceFile) Close() experimentalsys.Errno {
	if f.closed.CompareAndSwap(false, true) {
		f.st.open.Add(-1)
	}
	return f.File.Close()
}

// Write implements experimentalsys.File.
func (f *instanceFile) Write(buf []byte) (int, experimentalsys.Errno) {
	n, errno := f.File.Write(buf)
	return n, f.st.note(errno)
}

// Pwrite implements experimentalsys.File.
func (f *instanceFile) Pwrite(buf []byte, off int64) (int, experimentalsys.Errno) {
	n, errno := f.File.Pwrite(buf, off)
	return n, f.st.note(errno)
}

// Truncate implements experimentalsys.File.
func (f *instanceFile) Truncate(size int64) experimentalsys.Errno {
	return f.st.note(f.File.Truncate(size))
}
