package runtime

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// Every instance's root filesystem has a /dev as a container's has, with
// the character devices programs open by name: null, zero, random and
// urandom, stdin, stdout and stderr. The devices are not files of the
// sandbox's filesystem: devRoot serves the paths /dev and /dev/NAME itself,
// for each instance anew (nothing of them is in a snapshot's memory or in
// the sandbox's files, so no archive, listing or persisted context holds
// them), and shows "dev" in the root's listing. The guest cannot change
// /dev: creating, removing or renaming anything there fails with EACCES, as
// /dev does for a user who is not root; chmod fails with EPERM. The routing
// is by the lexically cleaned path, as packagesRoot's: a symbolic link of
// the sandbox's files that points into /dev does not reach the devices.

// errDevices is what the host's file methods give for a change under /dev,
// or a read of a device.
var errDevices = fmt.Errorf("%w: /dev holds the sandbox's devices, made for each run: programs read and write them, the file API lists them only", fs.ErrPermission)

// The host's file API (Sandbox's ListFiles, Exists, ReadFile, WriteFile,
// ...) sees /dev as a container's file API would, listed with its devices,
// and refuses to change it or read a device (a read of /dev/zero has no
// end). A file the host API wrote there would never be what the guest sees.

// devRefusal returns the error the Sandbox file method op (see Sandbox.op)
// gives on p when p is /dev or in it, or nil when op goes on.
func devRefusal(op, p string) error {
	where, name := devRoute(p)
	if where != inDev || op == "list" || op == "stat" {
		return nil
	}
	if op == "read" {
		_, errno := devLookup(name, p)
		switch {
		case errno != 0:
			return hostErr(errno)
		case name == "":
			return experimentalsys.EISDIR
		}
	}
	return errDevices
}

// devListing is the host API's listing of clean when it is /dev or in it
// (ok set).
func devListing(clean string) (list []FileInfo, errno experimentalsys.Errno, ok bool) {
	where, name := devRoute(clean)
	if where != inDev {
		return nil, 0, false
	}
	if _, errno := devLookup(name, clean); errno != 0 {
		return nil, errno, true
	}
	if name != "" {
		return nil, experimentalsys.ENOTDIR, true
	}
	for _, dev := range devNames {
		list = append(list, FileInfo{Name: dev, Path: "/dev/" + dev, ModTime: time.Unix(0, 0), Mode: devMode})
	}
	return list, 0, true
}

// withDevEntry returns the host API's listing of the root, sorted by name,
// with /dev in it.
func withDevEntry(root []FileInfo) []FileInfo {
	root = slices.DeleteFunc(root, func(fi FileInfo) bool { return fi.Name == "dev" })
	i, _ := slices.BinarySearchFunc(root, "dev", func(fi FileInfo, name string) int { return strings.Compare(fi.Name, name) })
	return slices.Insert(root, i, FileInfo{Name: "dev", Path: "/dev", IsDir: true, ModTime: time.Unix(0, 0), Mode: devDirStat().Mode})
}

// devices is what one instance's /dev reads and writes.
type devices struct {
	random io.Reader // /dev/random and /dev/urandom: the source of the guest's random_get
	stdin  io.Reader // /dev/stdin: what the instance's fd 0 reads; nil reads as empty
	stdout io.Writer // /dev/stdout: where fd 1 writes; nil refuses writes (EBADF)
	stderr io.Writer // /dev/stderr: where fd 2 writes; nil refuses writes (EBADF)
}

// randomSource is the source of the guest's random_get under clk: the
// seeded stream of a deterministic clock, else crypto/rand.
func (c *guestClock) randomSource() io.Reader {
	if c.virtual != nil {
		return c.virtual.random
	}
	return rand.Reader
}

// devKind is a device of /dev.
type devKind int

const (
	devNull devKind = iota
	devZero
	devRandom
	devURandom
	devStdin
	devStdout
	devStderr
)

// devNames are /dev's entries, sorted by name.
var devNames = []string{"null", "random", "stderr", "stdin", "stdout", "urandom", "zero"}

// devKinds maps a name in devNames to its device.
var devKinds = map[string]devKind{
	"null": devNull, "zero": devZero, "random": devRandom, "urandom": devURandom,
	"stdin": devStdin, "stdout": devStdout, "stderr": devStderr,
}

// The inode numbers of /dev and its devices: far above any memFS gives.
const devIno sys.Inode = 1 << 62

// devMode is a device's mode: a character device everyone may read and
// write, as on Linux.
const devMode = fs.ModeDevice | fs.ModeCharDevice | 0o666

func devStat(kind devKind) sys.Stat_t {
	return sys.Stat_t{Ino: devIno + 1 + sys.Inode(kind), Mode: devMode, Nlink: 1}
}

func devDirStat() sys.Stat_t {
	return sys.Stat_t{Ino: devIno, Mode: fs.ModeDir | 0o755, Nlink: 2}
}

// devRoot is an instance's root filesystem: FS, with /dev served from dev.
type devRoot struct {
	experimentalsys.FS
	dev devices
}

// withDevices returns fsys with /dev served from dev.
func withDevices(fsys experimentalsys.FS, dev devices) experimentalsys.FS {
	return &devRoot{FS: fsys, dev: dev}
}

// devRoute reports where the path p (relative to the root) is: the root
// itself, /dev (name ""), /dev/NAME or below, or elsewhere.
func devRoute(p string) (where devWhere, name string) {
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	switch {
	case clean == "":
		return atRoot, ""
	case clean == "dev":
		return inDev, ""
	}
	if rest, ok := strings.CutPrefix(clean, "dev/"); ok {
		return inDev, rest
	}
	return elsewhere, ""
}

type devWhere int

const (
	elsewhere devWhere = iota
	atRoot
	inDev
)

// devLookup stats the /dev entry name ("" for /dev itself).
func devLookup(name, p string) (sys.Stat_t, experimentalsys.Errno) {
	if name == "" {
		return devDirStat(), 0
	}
	dev, rest, _ := strings.Cut(name, "/")
	kind, ok := devKinds[dev]
	switch {
	case !ok:
		return sys.Stat_t{}, experimentalsys.ENOENT
	case rest != "" || strings.HasSuffix(p, "/"):
		return sys.Stat_t{}, experimentalsys.ENOTDIR
	}
	return devStat(kind), 0
}

// OpenFile implements experimentalsys.FS.
func (r *devRoot) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	where, name := devRoute(p)
	if where != inDev {
		f, errno := r.FS.OpenFile(p, flag, perm)
		if errno != 0 || (where != atRoot && !r.isRoot(f)) {
			return f, errno
		}
		return &rootDir{File: f}, 0
	}
	st, errno := devLookup(name, p)
	switch {
	case errno == experimentalsys.ENOENT && flag&experimentalsys.O_CREAT != 0 && !strings.Contains(name, "/"):
		return nil, experimentalsys.EACCES
	case errno != 0:
		return nil, errno
	case flag&experimentalsys.O_CREAT != 0 && flag&experimentalsys.O_EXCL != 0:
		return nil, experimentalsys.EEXIST
	}
	access := flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY)
	if name == "" {
		if access != experimentalsys.O_RDONLY {
			return nil, experimentalsys.EISDIR
		}
		return &devDir{}, 0
	}
	if flag&experimentalsys.O_DIRECTORY != 0 {
		return nil, experimentalsys.ENOTDIR
	}
	return &devFile{
		kind: devKinds[name], st: st, dev: &r.dev,
		readable: access != experimentalsys.O_WRONLY, writable: access != experimentalsys.O_RDONLY,
	}, 0
}

// isRoot reports whether f, opened by another name than the root's (a
// symbolic link's), is the root directory.
func (r *devRoot) isRoot(f experimentalsys.File) bool {
	if dir, errno := f.IsDir(); errno != 0 || !dir {
		return false
	}
	ino, errno := f.Ino()
	if errno != 0 {
		return false
	}
	root, errno := r.FS.Stat(".")
	return errno == 0 && root.Ino == ino
}

// Stat implements experimentalsys.FS.
func (r *devRoot) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if where, name := devRoute(p); where == inDev {
		return devLookup(name, p)
	}
	return r.FS.Stat(p)
}

// Lstat implements experimentalsys.FS: nothing in /dev is a link.
func (r *devRoot) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if where, name := devRoute(p); where == inDev {
		return devLookup(name, p)
	}
	return r.FS.Lstat(p)
}

// Readlink implements experimentalsys.FS.
func (r *devRoot) Readlink(p string) (string, experimentalsys.Errno) {
	if where, name := devRoute(p); where == inDev {
		if _, errno := devLookup(name, p); errno != 0 {
			return "", errno
		}
		return "", experimentalsys.EINVAL
	}
	return r.FS.Readlink(p)
}

// refuse returns errno when any of paths is /dev or in it, else the result
// of op on the rest of the filesystem.
func refuse(errno experimentalsys.Errno, op func() experimentalsys.Errno, paths ...string) experimentalsys.Errno {
	for _, p := range paths {
		if where, _ := devRoute(p); where == inDev {
			return errno
		}
	}
	return op()
}

// Mkdir implements experimentalsys.FS.
func (r *devRoot) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	if where, name := devRoute(p); where == inDev {
		_, errno := devLookup(name, p)
		switch {
		case errno == 0:
			return experimentalsys.EEXIST
		case errno == experimentalsys.ENOENT && !strings.Contains(name, "/"):
			return experimentalsys.EACCES // a new entry of /dev
		}
		return errno
	}
	return r.FS.Mkdir(p, perm)
}

// Chmod implements experimentalsys.FS: only a device's owner (root) may.
func (r *devRoot) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	return refuse(experimentalsys.EPERM, func() experimentalsys.Errno { return r.FS.Chmod(p, perm) }, p)
}

// Rename implements experimentalsys.FS.
func (r *devRoot) Rename(from, to string) experimentalsys.Errno {
	return refuse(experimentalsys.EACCES, func() experimentalsys.Errno { return r.FS.Rename(from, to) }, from, to)
}

// Rmdir implements experimentalsys.FS.
func (r *devRoot) Rmdir(p string) experimentalsys.Errno {
	return refuse(experimentalsys.EACCES, func() experimentalsys.Errno { return r.FS.Rmdir(p) }, p)
}

// Unlink implements experimentalsys.FS.
func (r *devRoot) Unlink(p string) experimentalsys.Errno {
	return refuse(experimentalsys.EACCES, func() experimentalsys.Errno { return r.FS.Unlink(p) }, p)
}

// Link implements experimentalsys.FS.
func (r *devRoot) Link(oldPath, newPath string) experimentalsys.Errno {
	return refuse(experimentalsys.EACCES, func() experimentalsys.Errno { return r.FS.Link(oldPath, newPath) }, oldPath, newPath)
}

// Symlink implements experimentalsys.FS: a link may point into /dev, none
// may be made there.
func (r *devRoot) Symlink(target, linkPath string) experimentalsys.Errno {
	return refuse(experimentalsys.EACCES, func() experimentalsys.Errno { return r.FS.Symlink(target, linkPath) }, linkPath)
}

// Utimens implements experimentalsys.FS: a device's times stay as they are
// (as on Linux, where they are not kept); /dev's cannot be set.
func (r *devRoot) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	if where, name := devRoute(p); where == inDev {
		_, errno := devLookup(name, p)
		switch {
		case errno != 0:
			return errno
		case name == "":
			return experimentalsys.EPERM
		}
		return 0
	}
	return r.FS.Utimens(p, atim, mtim)
}

// rootDir is the root directory open: its listing has "dev" too.
type rootDir struct {
	experimentalsys.File
	entries []experimentalsys.Dirent
	read    bool
}

// Readdir implements experimentalsys.File.
func (d *rootDir) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if !d.read {
		all, errno := d.File.Readdir(-1)
		if errno != 0 {
			return nil, errno
		}
		all = slices.DeleteFunc(all, func(e experimentalsys.Dirent) bool { return e.Name == "dev" })
		i, _ := slices.BinarySearchFunc(all, "dev", func(e experimentalsys.Dirent, name string) int { return strings.Compare(e.Name, name) })
		d.entries, d.read = slices.Insert(all, i, experimentalsys.Dirent{Ino: devIno, Name: "dev", Type: fs.ModeDir}), true
	}
	if n <= 0 || n > len(d.entries) {
		n = len(d.entries)
	}
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, 0
}

// Seek implements experimentalsys.File: a rewind lists again.
func (d *rootDir) Seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	d.entries, d.read = nil, false
	return d.File.Seek(offset, whence)
}

// devDir is /dev open.
type devDir struct {
	experimentalsys.UnimplementedFile
	off int
}

// Ino implements experimentalsys.File.
func (d *devDir) Ino() (sys.Inode, experimentalsys.Errno) { return devIno, 0 }

// IsDir implements experimentalsys.File.
func (d *devDir) IsDir() (bool, experimentalsys.Errno) { return true, 0 }

// Stat implements experimentalsys.File.
func (d *devDir) Stat() (sys.Stat_t, experimentalsys.Errno) { return devDirStat(), 0 }

// Read implements experimentalsys.File.
func (d *devDir) Read([]byte) (int, experimentalsys.Errno) { return 0, experimentalsys.EISDIR }

// Seek implements experimentalsys.File: only a rewind.
func (d *devDir) Seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	if offset != 0 || whence != io.SeekStart {
		return 0, experimentalsys.EINVAL
	}
	d.off = 0
	return 0, 0
}

// Readdir implements experimentalsys.File.
func (d *devDir) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	left := len(devNames) - d.off
	if n <= 0 || n > left {
		n = left
	}
	out := make([]experimentalsys.Dirent, n)
	for i := range out {
		name := devNames[d.off+i]
		out[i] = experimentalsys.Dirent{Ino: devStat(devKinds[name]).Ino, Name: name, Type: devMode.Type()}
	}
	d.off += n
	return out, 0
}

// devFile is a device open. It allocates nothing on the host: a read fills
// the guest's own buffer, so what one read can ask for is bounded by the
// guest's memory limit.
type devFile struct {
	experimentalsys.UnimplementedFile
	kind     devKind
	st       sys.Stat_t
	dev      *devices
	readable bool
	writable bool
}

// Ino implements experimentalsys.File.
func (f *devFile) Ino() (sys.Inode, experimentalsys.Errno) { return f.st.Ino, 0 }

// IsDir implements experimentalsys.File.
func (f *devFile) IsDir() (bool, experimentalsys.Errno) { return false, 0 }

// SetAppend implements experimentalsys.File: appending to a device is
// writing to it.
func (f *devFile) SetAppend(bool) experimentalsys.Errno { return 0 }

// Stat implements experimentalsys.File.
func (f *devFile) Stat() (sys.Stat_t, experimentalsys.Errno) { return f.st, 0 }

// errNoSeek is what seeking a stream device gives: wazero's errno set has
// no ESPIPE, and ENOSYS is what the instance's fds 0, 1 and 2 give.
const errNoSeek = experimentalsys.ENOSYS

// stream reports whether the device is one of the instance's streams,
// which cannot seek.
func (f *devFile) stream() bool { return f.kind >= devStdin }

// Read implements experimentalsys.File.
func (f *devFile) Read(buf []byte) (int, experimentalsys.Errno) {
	if !f.readable {
		return 0, experimentalsys.EBADF
	}
	switch f.kind {
	case devZero:
		clear(buf)
		return len(buf), 0
	case devRandom, devURandom:
		if _, err := io.ReadFull(f.dev.random, buf); err != nil {
			return 0, experimentalsys.EIO
		}
		return len(buf), 0
	case devStdin:
		return readStream(f.dev.stdin, buf)
	case devStdout, devStderr:
		return 0, experimentalsys.EBADF
	}
	return 0, 0 // null
}

// readStream reads from r (nil: end of file), with io.EOF as a read of 0.
func readStream(r io.Reader, buf []byte) (int, experimentalsys.Errno) {
	if r == nil || len(buf) == 0 {
		return 0, 0
	}
	n, err := r.Read(buf)
	if err != nil && !errors.Is(err, io.EOF) && n == 0 {
		return 0, experimentalsys.EIO
	}
	return n, 0
}

// Pread implements experimentalsys.File.
func (f *devFile) Pread(buf []byte, _ int64) (int, experimentalsys.Errno) {
	if f.stream() {
		return 0, errNoSeek
	}
	return f.Read(buf)
}

// Write implements experimentalsys.File: null, zero and the random devices
// take every byte and keep none.
func (f *devFile) Write(buf []byte) (int, experimentalsys.Errno) {
	if !f.writable {
		return 0, experimentalsys.EBADF
	}
	var w io.Writer
	switch f.kind {
	case devStdout:
		w = f.dev.stdout
	case devStderr:
		w = f.dev.stderr
	case devStdin:
		return 0, experimentalsys.EBADF
	default:
		return len(buf), 0
	}
	if w == nil {
		return 0, experimentalsys.EBADF
	}
	n, err := w.Write(buf)
	if err != nil && n == 0 {
		return 0, experimentalsys.EIO
	}
	return n, 0
}

// Pwrite implements experimentalsys.File.
func (f *devFile) Pwrite(buf []byte, _ int64) (int, experimentalsys.Errno) {
	if f.stream() {
		return 0, errNoSeek
	}
	return f.Write(buf)
}

// Seek implements experimentalsys.File: the devices other than the streams
// stay at offset 0 whatever is asked, as Linux's do. A stream cannot move,
// but answers "where am I" (a seek by 0 from here or from the end) with 0:
// opening for appending asks that (Python's open(..., "a")), and would
// fail on any error but ESPIPE, which wazero cannot give. So Python reports
// the streams seekable.
func (f *devFile) Seek(offset int64, whence int) (int64, experimentalsys.Errno) {
	if f.stream() && (offset != 0 || whence == io.SeekStart) {
		return 0, errNoSeek
	}
	return 0, 0
}

// Truncate implements experimentalsys.File.
func (f *devFile) Truncate(int64) experimentalsys.Errno { return experimentalsys.EINVAL }

// Sync implements experimentalsys.File.
func (f *devFile) Sync() experimentalsys.Errno { return 0 }

// Datasync implements experimentalsys.File.
func (f *devFile) Datasync() experimentalsys.Errno { return 0 }

// Utimens implements experimentalsys.File.
func (f *devFile) Utimens(int64, int64) experimentalsys.Errno { return 0 }
