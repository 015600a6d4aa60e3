package runtime

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// memFS is the sandbox's writable in-memory filesystem, mounted at the guest's
// "/". It never touches the host: every file is a byte slice in a tree of
// nodes. Its size is capped in bytes and in entries; going past either cap
// gives the guest ENOSPC.
//
// The CPython standard library is not in it: the interpreter's own wasi-vfs
// image serves /usr/local/lib from inside the module.
type memFS struct {
	experimentalsys.UnimplementedFS

	mu       sync.Mutex
	root     *node
	maxBytes int64 // cap on the sum of file sizes
	maxNodes int   // cap on files and directories, the root excluded
	bytes    int64
	nodes    int
	nextIno  sys.Inode
}

// node is a file or a directory.
type node struct {
	ino      sys.Inode
	dir      bool
	perm     fs.FileMode
	data     []byte           // a file's contents
	children map[string]*node // a directory's entries
	atim     int64
	mtim     int64
	ctim     int64
}

func newMemFS(maxBytes int64, maxNodes int) *memFS {
	m := &memFS{maxBytes: maxBytes, maxNodes: maxNodes}
	m.root = m.newNode(true, 0o755)
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

// split cleans p (relative to the mount, or absolute for host calls) and
// returns its path elements. ".." never climbs above the root.
func split(p string) []string {
	clean := path.Clean("/" + p)
	if clean == "/" {
		return nil
	}
	return strings.Split(clean[1:], "/")
}

// lookup finds the node at p. The caller holds m.mu.
func (m *memFS) lookup(p string) (*node, experimentalsys.Errno) {
	n := m.root
	for _, name := range split(p) {
		if !n.dir {
			return nil, experimentalsys.ENOTDIR
		}
		child, ok := n.children[name]
		if !ok {
			return nil, experimentalsys.ENOENT
		}
		n = child
	}
	return n, 0
}

// parent finds the directory that holds p and p's last element. The caller
// holds m.mu.
func (m *memFS) parent(p string) (*node, string, experimentalsys.Errno) {
	elems := split(p)
	if len(elems) == 0 {
		return nil, "", experimentalsys.EEXIST // the root itself
	}
	dir, errno := m.lookup(strings.Join(elems[:len(elems)-1], "/"))
	if errno != 0 {
		return nil, "", errno
	}
	if !dir.dir {
		return nil, "", experimentalsys.ENOTDIR
	}
	name := elems[len(elems)-1]
	if errno := checkName(name); errno != 0 {
		return nil, "", errno
	}
	return dir, name, 0
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
	dir.children[name] = n
	dir.mtim = n.mtim
	m.nodes++
	return n, 0
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

// remove frees the bytes and entries held by n and everything below it. The
// caller holds m.mu.
func (m *memFS) remove(n *node) {
	m.nodes--
	m.bytes -= int64(len(n.data))
	for _, c := range n.children {
		m.remove(c)
	}
}

func (n *node) stat() sys.Stat_t {
	st := sys.Stat_t{Ino: n.ino, Mode: n.perm, Nlink: 1, Size: int64(len(n.data)), Atim: n.atim, Mtim: n.mtim, Ctim: n.ctim}
	if n.dir {
		st.Mode |= fs.ModeDir
		st.Nlink = 2
		st.Size = 0
	}
	return st
}

// OpenFile implements experimentalsys.FS.
func (m *memFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.lookup(p)
	switch {
	case errno == experimentalsys.ENOENT && flag&experimentalsys.O_CREAT != 0:
		dir, name, errno := m.parent(p)
		if errno != 0 {
			return nil, errno
		}
		if n, errno = m.create(dir, name, false, perm); errno != 0 {
			return nil, errno
		}
	case errno != 0:
		return nil, errno
	case flag&experimentalsys.O_CREAT != 0 && flag&experimentalsys.O_EXCL != 0:
		return nil, experimentalsys.EEXIST
	}
	access := flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY)
	f := &memFile{fs: m, n: n, readable: access != experimentalsys.O_WRONLY, writable: access != experimentalsys.O_RDONLY, append: flag&experimentalsys.O_APPEND != 0}
	if n.dir {
		if f.writable {
			return nil, experimentalsys.EISDIR
		}
		return f, 0
	}
	if flag&experimentalsys.O_DIRECTORY != 0 {
		return nil, experimentalsys.ENOTDIR
	}
	if flag&experimentalsys.O_TRUNC != 0 && f.writable {
		m.resize(n, 0) // shrinking never fails
		n.mtim = time.Now().UnixNano()
	}
	return f, 0
}

// Stat implements experimentalsys.FS.
func (m *memFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.lookup(p)
	if errno != 0 {
		return sys.Stat_t{}, errno
	}
	return n.stat(), 0
}

// Lstat implements experimentalsys.FS. There are no symbolic links.
func (m *memFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) { return m.Stat(p) }

// Readlink implements experimentalsys.FS: nothing is a link.
func (m *memFS) Readlink(p string) (string, experimentalsys.Errno) {
	if _, errno := m.Stat(p); errno != 0 {
		return "", errno
	}
	return "", experimentalsys.EINVAL
}

// Mkdir implements experimentalsys.FS.
func (m *memFS) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, name, errno := m.parent(p)
	if errno != 0 {
		return errno
	}
	if _, ok := dir.children[name]; ok {
		return experimentalsys.EEXIST
	}
	_, errno = m.create(dir, name, true, perm)
	return errno
}

// Chmod implements experimentalsys.FS.
func (m *memFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.lookup(p)
	if errno == 0 {
		n.perm = perm.Perm()
	}
	return errno
}

// Rename implements experimentalsys.FS with POSIX rename(2) semantics.
func (m *memFS) Rename(from, to string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	src, errno := m.lookup(from)
	if errno != 0 {
		return errno
	}
	if src == m.root {
		return experimentalsys.EPERM
	}
	if to == from {
		return 0
	}
	if strings.HasPrefix(path.Clean("/"+to)+"/", path.Clean("/"+from)+"/") {
		return experimentalsys.EINVAL // a directory into itself
	}
	fromDir, fromName, _ := m.parent(from)
	toDir, toName, errno := m.parent(to)
	if errno != 0 {
		return errno
	}
	if dst, ok := toDir.children[toName]; ok {
		switch {
		case src.dir && !dst.dir:
			return experimentalsys.ENOTDIR
		case !src.dir && dst.dir:
			return experimentalsys.EISDIR
		case dst.dir && len(dst.children) > 0:
			return experimentalsys.ENOTEMPTY
		}
		m.remove(dst)
	}
	delete(fromDir.children, fromName)
	toDir.children[toName] = src
	return 0
}

// Rmdir implements experimentalsys.FS.
func (m *memFS) Rmdir(p string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unlink(p, removeDir)
}

// Unlink implements experimentalsys.FS.
func (m *memFS) Unlink(p string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unlink(p, removeFile)
}

// What unlink may remove.
const (
	removeFile = 1 << iota
	removeDir
)

// unlink removes the file or empty directory at p, if its kind is in kinds.
// The caller holds m.mu.
func (m *memFS) unlink(p string, kinds int) experimentalsys.Errno {
	n, errno := m.lookup(p)
	switch {
	case errno != 0:
		return errno
	case n == m.root:
		return experimentalsys.EPERM
	case kinds&removeDir == 0 && n.dir:
		return experimentalsys.EISDIR
	case kinds&removeFile == 0 && !n.dir:
		return experimentalsys.ENOTDIR
	case n.dir && len(n.children) > 0:
		return experimentalsys.ENOTEMPTY
	}
	parent, name, _ := m.parent(p)
	delete(parent.children, name)
	m.remove(n)
	return 0
}

// Utimens implements experimentalsys.FS.
func (m *memFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, errno := m.lookup(p)
	if errno == 0 {
		n.setTimes(atim, mtim)
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
