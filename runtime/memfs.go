package runtime

import (
	"io/fs"
	"sort"
	"strings"
	"sync"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// memFS is the sandbox's writable in-memory filesystem, mounted at the guest's
// "/". It never touches the host: every file is a byte slice in a tree of
// nodes, with symbolic links that resolve inside the tree only (see
// memfs_path.go). Its size is capped in bytes and in entries; going past
// either cap fails with errNoSpace.
//
// A file's bytes count against the cap for as long as they exist: while a
// directory entry names the file, or an open descriptor holds it. Unlinking
// an open file (or renaming another over it) frees nothing until the last
// descriptor closes, as on a POSIX filesystem.
//
// The CPython standard library is not in it: the embedded interpreter gets
// it through a separate read-only mount at /usr/local/lib (see
// Engine.mountConfig).
//
// It implements wazero's experimental sys.FS; every method is safe for
// concurrent use.
type memFS struct {
	experimentalsys.UnimplementedFS

	mu       sync.Mutex
	root     *node
	maxBytes int64 // cap on the sum of file sizes and link targets
	maxNodes int   // cap on directory entries (names), the root excluded
	bytes    int64
	nodes    int
	nextIno  sys.Inode
}

// node is a file, a directory or a symbolic link.
type node struct {
	ino      sys.Inode
	dir      bool
	link     bool
	perm     fs.FileMode
	data     []byte           // a file's contents
	target   string           // a link's target, as given
	children map[string]*node // a directory's entries
	nlink    int              // directory entries naming the node
	open     int              // open descriptors holding the node
	atim     int64
	mtim     int64
	ctim     int64
}

func newMemFS(maxBytes int64, maxNodes int) *memFS {
	m := &memFS{maxBytes: maxBytes, maxNodes: maxNodes}
	m.root = m.newNode(true, 0o755)
	m.root.nlink = 1
	return m
}

func (m *memFS) newNode(dir bool, perm fs.FileMode) *node {
	m.nextIno++
	now := time.Now().UnixNano()
	n := &node{ino: m.nextIno, dir: dir, perm: perm.Perm(), atim: now, mtim: now, ctim: now}
	if dir {
		n.children = map[string]*node{}
	}
	return n
}

// maxNameLen is the longest file name the filesystem accepts, as on Linux.
const maxNameLen = 255

// checkName refuses names no POSIX filesystem holds: longer than
// maxNameLen, or with a NUL byte (a guest's raw WASI call can pass one).
func checkName(name string) experimentalsys.Errno {
	switch {
	case len(name) > maxNameLen:
		return experimentalsys.ENAMETOOLONG
	case strings.IndexByte(name, 0) >= 0:
		return experimentalsys.EINVAL
	}
	return 0
}

// create adds a new node named name to dir, within the entry cap. The caller
// holds m.mu.
func (m *memFS) create(dir *node, name string, isDir bool, perm fs.FileMode) (*node, experimentalsys.Errno) {
	if errno := checkName(name); errno != 0 {
		return nil, errno
	}
	if m.nodes >= m.maxNodes {
		return nil, errNoSpace
	}
	n := m.newNode(isDir, perm)
	m.attach(dir, name, n)
	return n, 0
}

// attach makes dir's entry name point at n. Every entry counts against the
// entry cap, hard links included. The caller holds m.mu.
func (m *memFS) attach(dir *node, name string, n *node) {
	dir.children[name] = n
	m.nodes++
	n.nlink++
	dir.mtim = time.Now().UnixNano()
	dir.ctim = dir.mtim
}

// detach removes dir's entry name, freeing its node if nothing else holds
// it. The caller holds m.mu.
func (m *memFS) detach(dir *node, name string) {
	n := dir.children[name]
	delete(dir.children, name)
	m.nodes--
	dir.mtim = time.Now().UnixNano()
	dir.ctim = dir.mtim
	n.nlink--
	m.release(n)
}

// release frees n's bytes once no directory entry names it and no
// descriptor holds it. A directory's entries go with it. The caller holds
// m.mu.
func (m *memFS) release(n *node) {
	if n.nlink > 0 || n.open > 0 {
		return
	}
	for name := range n.children {
		m.detach(n, name)
	}
	m.bytes -= int64(len(n.data) + len(n.target))
	n.data = nil
}

// resize sets a file's length, within the byte cap. The caller holds m.mu.
func (m *memFS) resize(n *node, size int64) experimentalsys.Errno {
	delta := size - int64(len(n.data))
	if delta > 0 && m.bytes+delta > m.maxBytes {
		return errNoSpace
	}
	if size <= int64(cap(n.data)) {
		old := len(n.data)
		n.data = n.data[:size]
		if size > int64(old) {
			clear(n.data[old:])
		}
	} else {
		grown := make([]byte, size, max(size, 2*int64(cap(n.data))))
		copy(grown, n.data)
		n.data = grown
	}
	m.bytes += delta
	return 0
}

// reset empties the filesystem. Files still open keep their bytes counted
// until they close. The caller holds m.mu.
func (m *memFS) reset() {
	for name := range m.root.children {
		m.detach(m.root, name)
	}
}

func (n *node) stat() sys.Stat_t {
	st := sys.Stat_t{Ino: n.ino, Mode: n.perm, Nlink: uint64(n.nlink), Size: int64(len(n.data)), Atim: n.atim, Mtim: n.mtim, Ctim: n.ctim}
	switch {
	case n.dir:
		st.Mode |= fs.ModeDir
		st.Nlink = 2
		st.Size = 0
	case n.link:
		st.Mode = fs.ModeSymlink | 0o777
		st.Size = int64(len(n.target))
	}
	return st
}

// OpenFile implements experimentalsys.FS. It follows a link in the last
// element unless flag has O_NOFOLLOW (then a link gives ELOOP); O_CREAT
// through a dangling link creates the link's target.
func (m *memFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, flag&experimentalsys.O_NOFOLLOW == 0)
	n := w.n
	switch {
	case errno == experimentalsys.ENOENT && w.dir != nil && flag&experimentalsys.O_CREAT != 0:
		if n, errno = m.create(w.dir, w.name, false, perm); errno != 0 {
			return nil, errno
		}
	case errno != 0:
		return nil, errno
	case flag&experimentalsys.O_CREAT != 0 && flag&experimentalsys.O_EXCL != 0:
		return nil, experimentalsys.EEXIST
	case n.link:
		return nil, experimentalsys.ELOOP
	}
	access := flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY)
	f := &memFile{fs: m, n: n, readable: access != experimentalsys.O_WRONLY, writable: access != experimentalsys.O_RDONLY, append: flag&experimentalsys.O_APPEND != 0}
	if n.dir {
		if f.writable {
			return nil, experimentalsys.EISDIR
		}
		n.open++
		return f, 0
	}
	if flag&experimentalsys.O_DIRECTORY != 0 {
		return nil, experimentalsys.ENOTDIR
	}
	if flag&experimentalsys.O_TRUNC != 0 && f.writable {
		m.resize(n, 0) // shrinking never fails
		n.mtim = time.Now().UnixNano()
	}
	n.open++
	return f, 0
}

// Stat implements experimentalsys.FS: links are followed.
func (m *memFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	return m.statPath(p, true)
}

// Lstat implements experimentalsys.FS: a link in the last element is
// described itself.
func (m *memFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	return m.statPath(p, false)
}

func (m *memFS) statPath(p string, follow bool) (sys.Stat_t, experimentalsys.Errno) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, follow)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	return w.n.stat(), 0
}

// Mkdir implements experimentalsys.FS.
func (m *memFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, false)
	switch {
	case errno == 0:
		return experimentalsys.EEXIST
	case errno != experimentalsys.ENOENT || w.dir == nil:
		return errno
	}
	_, errno = m.create(w.dir, w.name, true, perm)
	return errno
}

// Chmod implements experimentalsys.FS. It follows links; the permission
// bits (executable ones included) are kept as given.
func (m *memFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, true)
	if errno == 0 {
		w.n.perm = perm.Perm()
		w.n.ctim = time.Now().UnixNano()
	}
	return errno
}

// Rename implements experimentalsys.FS with POSIX rename(2) semantics. Links
// in the last elements are renamed or replaced, never followed.
func (m *memFS) Rename(from, to string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	src, errno := m.walk(from, false)
	switch {
	case errno != 0:
		return errno
	case src.dir == nil:
		return experimentalsys.EPERM // the root
	}
	dst, errno := m.walk(to, false)
	switch {
	case errno == experimentalsys.ENOENT && dst.dir != nil:
	case errno != 0:
		return errno
	case dst.dir == nil:
		return experimentalsys.EPERM // the root
	case dst.n == src.n:
		return 0
	case src.n.dir && !dst.n.dir:
		return experimentalsys.ENOTDIR
	case !src.n.dir && dst.n.dir:
		return experimentalsys.EISDIR
	case dst.n.dir && len(dst.n.children) > 0:
		return experimentalsys.ENOTEMPTY
	}
	if src.n.dir && isUnder(dst.path, src.path) {
		return experimentalsys.EINVAL // a directory into itself
	}
	n := src.n
	n.nlink++ // held while it moves
	m.detach(src.dir, src.name)
	if dst.n != nil {
		m.detach(dst.dir, dst.name)
	}
	m.attach(dst.dir, dst.name, n)
	n.nlink--
	n.ctim = time.Now().UnixNano()
	return 0
}

// isUnder reports whether the path p is base or below it.
func isUnder(p, base []string) bool {
	if len(p) < len(base) {
		return false
	}
	for i := range base {
		if p[i] != base[i] {
			return false
		}
	}
	return true
}

// Rmdir implements experimentalsys.FS.
func (m *memFS) Rmdir(p string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unlink(p, removeDir)
}

// Unlink implements experimentalsys.FS. It removes a link, never its target.
func (m *memFS) Unlink(p string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unlink(p, removeFile)
}

// What unlink may remove.
const (
	removeFile = 1 << iota // a file or a link
	removeDir
)

// unlink removes the file, link or empty directory at p, if its kind is in
// kinds. The caller holds m.mu.
func (m *memFS) unlink(p string, kinds int) experimentalsys.Errno {
	w, errno := m.walk(p, false)
	switch {
	case errno != 0:
		return errno
	case w.dir == nil:
		return experimentalsys.EPERM // the root
	case kinds&removeDir == 0 && w.n.dir:
		return experimentalsys.EISDIR
	case kinds&removeFile == 0 && !w.n.dir:
		return experimentalsys.ENOTDIR
	case w.n.dir && len(w.n.children) > 0:
		return experimentalsys.ENOTEMPTY
	}
	m.detach(w.dir, w.name)
	return 0
}

// Utimens implements experimentalsys.FS. It follows links.
func (m *memFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, true)
	if errno == 0 {
		w.n.setTimes(atim, mtim)
	}
	return errno
}

func (n *node) setTimes(atim, mtim int64) {
	pick := func(t, old int64) int64 {
		if t == experimentalsys.UTIME_OMIT {
			return old
		}
		return t
	}
	n.atim, n.mtim = pick(atim, n.atim), pick(mtim, n.mtim)
}

// readdir lists a directory's entries sorted by name. The caller holds m.mu.
func (n *node) readdir() []experimentalsys.Dirent {
	names := make([]string, 0, len(n.children))
	for name := range n.children {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]experimentalsys.Dirent, len(names))
	for i, name := range names {
		c := n.children[name]
		out[i] = experimentalsys.Dirent{Ino: c.ino, Name: name, Type: c.stat().Mode.Type()}
	}
	return out
}

// errNoSpace is what a write or create past the caps fails with. wazero's
// WASI layer (v1.12) has no ENOSPC in its errno set and turns any errno it
// does not know into EIO, so EIO is what the guest sees either way; the host
// API reports ErrNoSpace.
const errNoSpace = experimentalsys.EIO
