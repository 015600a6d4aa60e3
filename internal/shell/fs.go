package shell

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
	"mvdan.cc/sh/v3/interp"
)

// The interpreter's file operations (redirections, globs, test operators,
// cd, source) go through these handlers, which serve them from the sandbox
// filesystem. None of them names a host path: every path is cleaned into the
// sandbox's tree before it reaches FS.

// maxLinks is how many symbolic links a path may pass through, as Linux's
// MAXSYMLINKS.
const maxLinks = 40

// fsPath turns a sandbox path (absolute, or relative to dir) into the name
// FS takes: relative to the root, "." for the root itself.
func fsPath(dir, p string) string {
	return FSPath(absPath(dir, p))
}

// absPath returns p as a clean absolute sandbox path; ".." stops at "/".
func absPath(dir, p string) string {
	if !path.IsAbs(p) {
		p = dir + "/" + p
	}
	return path.Clean("/" + p)
}

// pathError is how a handler reports a failed file operation: the shell
// prints it as bash does ("sh: PATH: No such file or directory").
func pathError(p string, err error) error {
	return &os.PathError{Op: "sh:", Path: p, Err: textError{err}}
}

// textError prints an errno with the C library's text.
type textError struct{ err error }

func (e textError) Error() string { return ErrText(e.err) }
func (e textError) Unwrap() error { return e.err }

// openFlags maps the interpreter's os flags to the sandbox filesystem's.
func openFlags(flag int) experimentalsys.Oflag {
	var f experimentalsys.Oflag
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_WRONLY:
		f = experimentalsys.O_WRONLY
	case os.O_RDWR:
		f = experimentalsys.O_RDWR
	default:
		f = experimentalsys.O_RDONLY
	}
	for _, m := range []struct {
		os  int
		sys experimentalsys.Oflag
	}{
		{os.O_CREATE, experimentalsys.O_CREAT},
		{os.O_TRUNC, experimentalsys.O_TRUNC},
		{os.O_APPEND, experimentalsys.O_APPEND},
		{os.O_EXCL, experimentalsys.O_EXCL},
	} {
		if flag&m.os != 0 {
			f |= m.sys
		}
	}
	return f
}

// open is the interpreter's OpenHandler.
func (sh *cmdline) open(ctx context.Context, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	if err := sh.ctx.Err(); err != nil {
		return nil, err // the command line has ended: a leftover job opens nothing
	}
	hc := interp.HandlerCtx(ctx)
	p = strings.TrimSuffix(p, sourceMark)
	abs := absPath(hc.Dir, p)
	switch abs {
	case "/dev/null":
		return devNull{}, nil
	case "/dev/stdin", "/dev/fd/0":
		return stream{r: hc.Stdin}, nil
	case "/dev/stdout", "/dev/fd/1":
		return stream{w: hc.Stdout}, nil
	case "/dev/stderr", "/dev/fd/2":
		return stream{w: hc.Stderr}, nil
	}
	name, err := sh.resolve(abs, true)
	if err != nil {
		return nil, pathError(p, err)
	}
	f, errno := sh.fs.OpenFile(name, openFlags(flag), perm)
	if errno != 0 {
		return nil, pathError(p, errno)
	}
	if flag&(os.O_WRONLY|os.O_RDWR) == 0 {
		return readPipe(&sandboxFile{f: f})
	}
	if isDir, errno := f.IsDir(); errno == 0 && isDir {
		f.Close()
		return nil, pathError(p, experimentalsys.EISDIR)
	}
	return &sandboxFile{f: f}, nil
}

// readPipe serves a file opened for reading through a pipe. The
// interpreter turns any other reader given to `<` into a pipe of its own,
// fed by a goroutine that only the garbage collector's closing of the pipe
// stops when the command leaves its input unread. This pipe's read end is
// what the interpreter closes after the command, which ends the copy at
// once.
func readPipe(f *sandboxFile) (io.ReadWriteCloser, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		f.Close()
		return nil, err
	}
	go func() {
		io.Copy(pw, f)
		pw.Close()
		f.Close()
	}()
	return pr, nil
}

// sandboxFile is an open file of the sandbox filesystem.
type sandboxFile struct{ f experimentalsys.File }

func (s *sandboxFile) Read(b []byte) (int, error) {
	n, errno := s.f.Read(b)
	switch {
	case errno != 0:
		return n, errno
	case n == 0 && len(b) > 0:
		return 0, io.EOF
	}
	return n, nil
}

func (s *sandboxFile) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		n, errno := s.f.Write(b[written:])
		written += n
		if errno != 0 {
			return written, textError{errno}
		}
		if n == 0 {
			return written, io.ErrShortWrite
		}
	}
	return written, nil
}

func (s *sandboxFile) Close() error {
	if errno := s.f.Close(); errno != 0 {
		return errno
	}
	return nil
}

// devNull is /dev/null: reads see the end, writes vanish.
type devNull struct{}

func (devNull) Read([]byte) (int, error)    { return 0, io.EOF }
func (devNull) Write(b []byte) (int, error) { return len(b), nil }
func (devNull) Close() error                { return nil }

// stream is /dev/stdin, /dev/stdout or /dev/stderr: the command's own
// stream, which closing the redirection leaves open.
type stream struct {
	r io.Reader
	w io.Writer
}

func (s stream) Read(b []byte) (int, error) {
	if s.r == nil || isNilFile(s.r) {
		return 0, io.EOF
	}
	return s.r.Read(b)
}

func (s stream) Write(b []byte) (int, error) {
	if s.w == nil {
		return 0, syscall.EBADF
	}
	return s.w.Write(b)
}

func (stream) Close() error { return nil }

// isNilFile reports whether r is a nil *os.File: the interpreter's stdin
// when it has none.
func isNilFile(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && f == nil
}

// isEmpty reports whether r is no input at all: nil, a nil *os.File or
// /dev/null.
func isEmpty(r io.Reader) bool {
	_, null := r.(devNull)
	return r == nil || null || isNilFile(r)
}

// resolve follows the symbolic links in the sandbox path abs (the last
// element's too when follow is set) and returns the FS name of what it
// names. No link leads out of the sandbox: a link's target is a sandbox
// path, and ".." stops at the sandbox's root.
func (sh *cmdline) resolve(abs string, follow bool) (string, error) {
	real, err := sh.realpath(abs, follow)
	if err != nil {
		return "", err
	}
	return fsPath("/", real), nil
}

// realpath returns abs with every symbolic link replaced by its target (the
// last element's only when follow is set). Elements that do not exist are
// kept as they are.
func (sh *cmdline) realpath(abs string, follow bool) (string, error) {
	done := "/"
	rest := strings.Split(strings.TrimPrefix(path.Clean(abs), "/"), "/")
	links := 0
	for len(rest) > 0 {
		elem := rest[0]
		rest = rest[1:]
		if elem == "" || elem == "." {
			continue
		}
		next := path.Join(done, elem)
		if elem == ".." || (len(rest) == 0 && !follow) {
			done = next
			continue
		}
		st, errno := sh.fs.Lstat(fsPath("/", next))
		if errno != 0 || st.Mode&fs.ModeSymlink == 0 {
			done = next
			continue
		}
		if links++; links > maxLinks {
			return "", experimentalsys.ELOOP
		}
		target, errno := sh.fs.Readlink(fsPath("/", next))
		if errno != 0 {
			return "", errno
		}
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return done, nil
}

// stat is the interpreter's StatHandler; name is absolute.
func (sh *cmdline) stat(ctx context.Context, name string, follow bool) (fs.FileInfo, error) {
	abs := absPath(interp.HandlerCtx(ctx).Dir, name)
	fsName, err := sh.resolve(abs, follow)
	if err != nil {
		return nil, pathError(name, err)
	}
	var st sys.Stat_t
	var errno experimentalsys.Errno
	if follow {
		st, errno = sh.fs.Stat(fsName)
	} else {
		st, errno = sh.fs.Lstat(fsName)
	}
	if errno != 0 {
		return nil, pathError(name, errno)
	}
	return fileInfo{name: path.Base(abs), st: st}, nil
}

// readDir is the interpreter's ReadDirHandler2 (for globs).
func (sh *cmdline) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	fsName, err := sh.resolve(absPath(interp.HandlerCtx(ctx).Dir, name), true)
	if err != nil {
		return nil, pathError(name, err)
	}
	dir, errno := sh.fs.OpenFile(fsName, experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY, 0)
	if errno != 0 {
		return nil, pathError(name, errno)
	}
	defer dir.Close()
	dirents, errno := dir.Readdir(-1)
	if errno != 0 {
		return nil, pathError(name, errno)
	}
	entries := make([]fs.DirEntry, 0, len(dirents))
	for _, d := range dirents {
		if d.Name == "." || d.Name == ".." {
			continue
		}
		entries = append(entries, dirEntry{d: d, dir: fsName, fs: sh.fs})
	}
	return entries, nil
}

// access is the interpreter's AccessHandler ([ -r ], [ -w ], [ -x ], cd).
// The sandbox's one user is root: reading and writing are always allowed,
// and executing needs an execute bit (or a directory), as for root on Linux.
func (sh *cmdline) access(ctx context.Context, name string, mode interp.AccessMode) error {
	info, err := sh.stat(ctx, name, true)
	if err != nil {
		return err
	}
	if mode&interp.AccessExec != 0 && !info.IsDir() && info.Mode().Perm()&0o111 == 0 {
		return pathError(name, experimentalsys.EACCES)
	}
	return nil
}

// fileInfo is a sandbox file's fs.FileInfo.
type fileInfo struct {
	name string
	st   sys.Stat_t
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.st.Size }
func (i fileInfo) Mode() fs.FileMode  { return i.st.Mode }
func (i fileInfo) ModTime() time.Time { return time.Unix(0, i.st.Mtim) }
func (i fileInfo) IsDir() bool        { return i.st.Mode.IsDir() }

// Sys returns what the interpreter's -O and -G tests read (statSys, per
// platform): every sandbox file belongs to the user running the shell.
func (i fileInfo) Sys() any { return statSys(i.st) }

// dirEntry is a directory entry for globbing.
type dirEntry struct {
	d   experimentalsys.Dirent
	dir string
	fs  experimentalsys.FS
}

func (e dirEntry) Name() string      { return e.d.Name }
func (e dirEntry) IsDir() bool       { return e.d.Type.IsDir() }
func (e dirEntry) Type() fs.FileMode { return e.d.Type }
func (e dirEntry) Info() (fs.FileInfo, error) {
	st, errno := e.fs.Lstat(path.Join(e.dir, e.d.Name))
	if errno != 0 {
		return nil, errno
	}
	return fileInfo{name: e.d.Name, st: st}, nil
}
