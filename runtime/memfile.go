package runtime

import (
	"io"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// memFile is an open file or directory of a memFS. It keeps its own offset,
// like a file description; the node's data is shared with other handles.
// Until Close, it holds the node's bytes in the filesystem's count.
type memFile struct {
	experimentalsys.UnimplementedFile

	fs       *memFS
	n        *node
	off      int64
	readable bool
	writable bool
	append   bool
	closed   bool
	dirents  []experimentalsys.Dirent // a directory's listing, read on first Readdir
	dirRead  bool
}

// Ino implements experimentalsys.File.
func (f *memFile) Ino() (sys.Inode, experimentalsys.Errno) { return f.n.ino, 0 }

// IsDir implements experimentalsys.File.
func (f *memFile) IsDir() (bool, experimentalsys.Errno) { return f.n.dir, 0 }

// IsAppend implements experimentalsys.File.
func (f *memFile) IsAppend() bool { return f.append }

// SetAppend implements experimentalsys.File.
func (f *memFile) SetAppend(enable bool) experimentalsys.Errno {
	f.append = enable
	return 0
}

// Stat implements experimentalsys.File.
func (f *memFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return f.n.stat(), 0
}

// check returns the errno for reading (write false) or writing this handle.
func (f *memFile) check(write bool) experimentalsys.Errno {
	switch {
	case f.closed:
		return experimentalsys.EBADF
	case f.n.dir:
		return experimentalsys.EISDIR
	case write && !f.writable, !write && !f.readable:
		return experimentalsys.EBADF
	}
	return 0
}

// Read implements experimentalsys.File.
func (f *memFile) Read(buf []byte) (int, experimentalsys.Errno) {
	n, errno := f.Pread(buf, f.off)
	f.off += int64(n)
	return n, errno
}

// Pread implements experimentalsys.File.
func (f *memFile) Pread(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.check(false); errno != 0 {
		return 0, errno
	}
	if off < 0 {
		return 0, experimentalsys.EINVAL
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if off >= int64(len(f.n.data)) {
		return 0, 0
	}
	return copy(buf, f.n.data[off:]), 0
}

// Seek implements experimentalsys.File.
func (f *memFile) Seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	if f.closed {
		return 0, experimentalsys.EBADF
	}
	if f.n.dir {
		if offset != 0 || whence != io.SeekStart {
			return 0, experimentalsys.EINVAL
		}
		f.dirents, f.dirRead = nil, false
		return 0, 0
	}
	f.fs.mu.Lock()
	size := int64(len(f.n.data))
	f.fs.mu.Unlock()
	switch whence {
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += size
	case io.SeekStart:
	default:
		return 0, experimentalsys.EINVAL
	}
	if offset < 0 {
		return 0, experimentalsys.EINVAL
	}
	f.off = offset
	return offset, 0
}

// Readdir implements experimentalsys.File.
func (f *memFile) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if f.closed || !f.n.dir {
		return nil, experimentalsys.EBADF
	}
	if !f.dirRead {
		f.fs.mu.Lock()
		f.dirents, f.dirRead = f.n.readdir(), true
		f.fs.mu.Unlock()
	}
	if n <= 0 || n > len(f.dirents) {
		n = len(f.dirents)
	}
	out := f.dirents[:n]
	f.dirents = f.dirents[n:]
	return out, 0
}

// Write implements experimentalsys.File.
func (f *memFile) Write(buf []byte) (int, experimentalsys.Errno) {
	if f.append {
		f.fs.mu.Lock()
		f.off = int64(len(f.n.data))
		f.fs.mu.Unlock()
	}
	n, errno := f.Pwrite(buf, f.off)
	f.off += int64(n)
	return n, errno
}

// Pwrite implements experimentalsys.File. A write past the filesystem's byte
// cap writes nothing and fails with ENOSPC.
func (f *memFile) Pwrite(buf []byte, off int64) (int, experimentalsys.Errno) {
	if errno := f.check(true); errno != 0 {
		return 0, errno
	}
	if off < 0 {
		return 0, experimentalsys.EINVAL
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	if end := off + int64(len(buf)); end > int64(len(f.n.data)) {
		if errno := f.fs.resize(f.n, end); errno != 0 {
			return 0, errno
		}
	}
	n := copy(f.n.data[off:], buf)
	f.n.mtim = time.Now().UnixNano()
	return n, 0
}

// Truncate implements experimentalsys.File.
func (f *memFile) Truncate(size int64) experimentalsys.Errno {
	if errno := f.check(true); errno != 0 {
		return errno
	}
	if size < 0 {
		return experimentalsys.EINVAL
	}
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	return f.fs.resize(f.n, size)
}

// Sync implements experimentalsys.File: memory is always in sync.
func (f *memFile) Sync() experimentalsys.Errno { return 0 }

// Datasync implements experimentalsys.File.
func (f *memFile) Datasync() experimentalsys.Errno { return 0 }

// Utimens implements experimentalsys.File.
func (f *memFile) Utimens(atim, mtim int64) experimentalsys.Errno {
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.n.setTimes(atim, mtim)
	return 0
}

// Close implements experimentalsys.File. The last descriptor of a file no
// longer named in any directory frees its bytes.
func (f *memFile) Close() experimentalsys.Errno {
	if f.closed {
		return 0
	}
	f.closed = true
	f.fs.mu.Lock()
	defer f.fs.mu.Unlock()
	f.n.open--
	f.fs.release(f.n)
	return 0
}
