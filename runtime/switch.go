package runtime

import (
	"io"
	"io/fs"
	"sync"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// A warm instance is started before its job exists, so what the job brings
// (its filesystem, its output buffers, its standard input) is plugged in at
// handover through the switchable pieces in this file.

// switchWriter forwards writes to the writer set last.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	return w.Write(p)
}

// switchFS forwards every call to the filesystem set last.
type switchFS struct {
	mu sync.Mutex
	fs experimentalsys.FS
}

func (s *switchFS) set(fs experimentalsys.FS) {
	s.mu.Lock()
	s.fs = fs
	s.mu.Unlock()
}

func (s *switchFS) get() experimentalsys.FS {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fs
}

// OpenFile implements experimentalsys.FS.
func (s *switchFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	return s.get().OpenFile(p, flag, perm)
}

// Lstat implements experimentalsys.FS.
func (s *switchFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) { return s.get().Lstat(p) }

// Stat implements experimentalsys.FS.
func (s *switchFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) { return s.get().Stat(p) }

// Mkdir implements experimentalsys.FS.
func (s *switchFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	return s.get().Mkdir(p, perm)
}

// Chmod implements experimentalsys.FS.
func (s *switchFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	return s.get().Chmod(p, perm)
}

// Rename implements experimentalsys.FS.
func (s *switchFS) Rename(from, to string) experimentalsys.Errno { return s.get().Rename(from, to) }

// Rmdir implements experimentalsys.FS.
func (s *switchFS) Rmdir(p string) experimentalsys.Errno { return s.get().Rmdir(p) }

// Unlink implements experimentalsys.FS.
func (s *switchFS) Unlink(p string) experimentalsys.Errno { return s.get().Unlink(p) }

// Link implements experimentalsys.FS.
func (s *switchFS) Link(from, to string) experimentalsys.Errno { return s.get().Link(from, to) }

// Symlink implements experimentalsys.FS.
func (s *switchFS) Symlink(from, to string) experimentalsys.Errno { return s.get().Symlink(from, to) }

// Readlink implements experimentalsys.FS.
func (s *switchFS) Readlink(p string) (string, experimentalsys.Errno) { return s.get().Readlink(p) }

// Utimens implements experimentalsys.FS.
func (s *switchFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	return s.get().Utimens(p, atim, mtim)
}

// warmStdin is a warm instance's standard input. Until handover a read
// blocks (the guest waits there, warm); the first read also tells the pool
// the instance is ready. At handover it gives the job line, then the job's
// own standard input. When the instance's context ends first, reads give end
// of file. The instance's clock stands still from the first read (the
// instance is warm and waits) to the handover.
type warmStdin struct {
	done   <-chan struct{} // the instance's context
	ready  chan struct{}   // closed at the first read
	once   sync.Once
	handed chan struct{} // closed at handover, after line and job are set
	line   []byte
	job    io.Reader

	clock      *guestClock
	clockMu    sync.Mutex // orders the first read's pause and the handover's resume
	handedOver bool
}

func (w *warmStdin) Read(p []byte) (int, error) {
	w.once.Do(func() {
		w.clockMu.Lock()
		if !w.handedOver {
			w.clock.pause()
		}
		w.clockMu.Unlock()
		close(w.ready)
	})
	select {
	case <-w.handed:
	case <-w.done:
		return 0, io.EOF
	}
	if len(w.line) > 0 {
		n := copy(p, w.line)
		w.line = w.line[n:]
		return n, nil
	}
	return w.job.Read(p)
}

// handover gives the guest line, then job.
func (w *warmStdin) handover(line []byte, job io.Reader) {
	w.line, w.job = line, job
	w.clockMu.Lock()
	w.handedOver = true
	w.clock.resume()
	w.clockMu.Unlock()
	close(w.handed)
}
