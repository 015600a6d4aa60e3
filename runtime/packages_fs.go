package runtime

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"
)

// Packages are served to an instance inside its root filesystem, not as a
// mount of their own: a reactor's snapshot holds wasi-libc's table of
// preopened directories, so every instance must have the same preopens as
// the snapshot's, whatever packages its job brings. packagesRoot routes
// the paths under PackagesDir to the packages' files, read-only, and all
// others to the sandbox's filesystem. The routing is by the lexically
// cleaned path, the name the guard's trust is judged by too (a file is
// trusted as library code by its name starting with PackagesDir), so no
// file of the sandbox's can be reached under that name. The shell's
// utilities (ls, cat, ...) get the same view; the Sandbox's own file methods
// (WriteFile, ReadFile, ...) work on its filesystem alone.

// packagesRoot is the root filesystem of an instance whose job has
// packages.
type packagesRoot struct {
	experimentalsys.FS                    // the sandbox's filesystem
	pkgs               experimentalsys.FS // the packages' files, PackagesDir at their root
}

// rootFS returns the root filesystem of an instance running a job on fsys
// with pkgs (nil for none) and the devices dev (see devfs.go).
func rootFS(fsys experimentalsys.FS, pkgs *Packages, dev devices) experimentalsys.FS {
	if pkgs != nil {
		fsys = &packagesRoot{FS: fsys, pkgs: &sysfs.ReadFS{FS: &sysfs.AdaptFS{FS: pkgs.tree}}}
	}
	return withDevices(fsys, dev)
}

// packagesRel is PackagesDir relative to the root, as wazero names paths.
var packagesRel = strings.TrimPrefix(PackagesDir, "/")

// route reports whether p (relative to the root) is PackagesDir or under
// it, and if so, its path in the packages' tree.
func route(p string) (string, bool) {
	clean := strings.TrimPrefix(path.Clean("/"+p), "/")
	if clean == packagesRel {
		return ".", true
	}
	rest, ok := strings.CutPrefix(clean, packagesRel+"/")
	return rest, ok
}

// writeFlags are the open flags that need write access.
const writeFlags = experimentalsys.O_WRONLY | experimentalsys.O_RDWR | experimentalsys.O_TRUNC | experimentalsys.O_APPEND

// OpenFile implements experimentalsys.FS.
func (r *packagesRoot) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	rel, ok := route(p)
	switch {
	case !ok:
		return r.FS.OpenFile(p, flag, perm)
	case flag&writeFlags != 0:
		return nil, experimentalsys.EROFS
	case flag&experimentalsys.O_CREAT != 0:
		if _, errno := r.pkgs.Stat(rel); errno != 0 {
			return nil, experimentalsys.EROFS
		}
		flag &^= experimentalsys.O_CREAT | experimentalsys.O_EXCL
	}
	return r.pkgs.OpenFile(rel, flag, perm)
}

// Lstat implements experimentalsys.FS.
func (r *packagesRoot) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if rel, ok := route(p); ok {
		return r.pkgs.Lstat(rel)
	}
	return r.FS.Lstat(p)
}

// Stat implements experimentalsys.FS.
func (r *packagesRoot) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	if rel, ok := route(p); ok {
		return r.pkgs.Stat(rel)
	}
	return r.FS.Stat(p)
}

// Readlink implements experimentalsys.FS: nothing under PackagesDir is a
// link.
func (r *packagesRoot) Readlink(p string) (string, experimentalsys.Errno) {
	if rel, ok := route(p); ok {
		if _, errno := r.pkgs.Stat(rel); errno != 0 {
			return "", errno
		}
		return "", experimentalsys.EINVAL
	}
	return r.FS.Readlink(p)
}

// readOnly returns EROFS when any of paths is under PackagesDir, else the
// result of op on the sandbox's filesystem.
func (r *packagesRoot) readOnly(op func() experimentalsys.Errno, paths ...string) experimentalsys.Errno {
	for _, p := range paths {
		if _, ok := route(p); ok {
			return experimentalsys.EROFS
		}
	}
	return op()
}

// Mkdir implements experimentalsys.FS.
func (r *packagesRoot) Mkdir(p string, perm fs.FileMode) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Mkdir(p, perm) }, p)
}

// Chmod implements experimentalsys.FS.
func (r *packagesRoot) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Chmod(p, perm) }, p)
}

// Rename implements experimentalsys.FS.
func (r *packagesRoot) Rename(from, to string) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Rename(from, to) }, from, to)
}

// Rmdir implements experimentalsys.FS.
func (r *packagesRoot) Rmdir(p string) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Rmdir(p) }, p)
}

// Unlink implements experimentalsys.FS.
func (r *packagesRoot) Unlink(p string) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Unlink(p) }, p)
}

// Link implements experimentalsys.FS.
func (r *packagesRoot) Link(oldPath, newPath string) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Link(oldPath, newPath) }, oldPath, newPath)
}

// Symlink implements experimentalsys.FS.
func (r *packagesRoot) Symlink(target, linkPath string) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Symlink(target, linkPath) }, linkPath)
}

// Utimens implements experimentalsys.FS.
func (r *packagesRoot) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	return r.readOnly(func() experimentalsys.Errno { return r.FS.Utimens(p, atim, mtim) }, p)
}

// memTree is an immutable in-memory fs.FS of the packages' files, built by
// LoadPackages. Files are read-only (0444), directories 0555.
type memTree struct {
	root *treeNode
}

type treeNode struct {
	name     string
	data     []byte // a file's
	children map[string]*treeNode
}

func (n *treeNode) isDir() bool { return n.children != nil }

func newMemTree() *memTree {
	return &memTree{root: &treeNode{name: ".", children: map[string]*treeNode{}}}
}

// errNotDir: a file stands where a package's path needs a directory.
var errNotDir = errors.New("a file stands where a directory is needed")

// mkdirAll makes the directory name and its parents; it returns the
// directory, or nil when a file is in the way.
func (t *memTree) mkdirAll(name string) *treeNode {
	n := t.root
	for _, elem := range strings.Split(path.Clean(name), "/") {
		if elem == "." || elem == "" {
			continue
		}
		child := n.children[elem]
		if child == nil {
			child = &treeNode{name: elem, children: map[string]*treeNode{}}
			n.children[elem] = child
		}
		if !child.isDir() {
			return nil
		}
		n = child
	}
	return n
}

// add adds the file name with data.
func (t *memTree) add(name string, data []byte) error {
	dir := t.mkdirAll(path.Dir(name))
	if dir == nil {
		return &fs.PathError{Op: "add", Path: name, Err: errNotDir}
	}
	base := path.Base(name)
	if _, ok := dir.children[base]; ok {
		return &fs.PathError{Op: "add", Path: name, Err: fs.ErrExist}
	}
	dir.children[base] = &treeNode{name: base, data: data}
	return nil
}

// sum hashes the tree: each file's path, size and contents, each
// directory's path, in walk order.
func (t *memTree) sum() string {
	h := sha256.New()
	var walk func(prefix string, n *treeNode)
	walk = func(prefix string, n *treeNode) {
		for _, name := range slices.Sorted(maps.Keys(n.children)) {
			c, p := n.children[name], prefix+"/"+name
			if c.isDir() {
				fmt.Fprintf(h, "d %s\n", p)
				walk(p, c)
				continue
			}
			fmt.Fprintf(h, "f %s %d\n", p, len(c.data))
			h.Write(c.data)
		}
	}
	walk("", t.root)
	return hex.EncodeToString(h.Sum(nil))
}

// Open implements fs.FS.
func (t *memTree) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	n := t.root
	if name != "." {
		for _, elem := range strings.Split(name, "/") {
			if !n.isDir() {
				return nil, &fs.PathError{Op: "open", Path: name, Err: errNotDir}
			}
			if n = n.children[elem]; n == nil {
				return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
			}
		}
	}
	if n.isDir() {
		return &treeDir{n: n}, nil
	}
	return &treeFile{n: n, Reader: bytes.NewReader(n.data)}, nil
}

// treeInfo describes a node; it is both fs.FileInfo and fs.DirEntry.
type treeInfo struct{ n *treeNode }

func (i treeInfo) Name() string { return i.n.name }
func (i treeInfo) Size() int64  { return int64(len(i.n.data)) }
func (i treeInfo) Mode() fs.FileMode {
	if i.n.isDir() {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i treeInfo) ModTime() time.Time         { return time.Unix(0, 0) }
func (i treeInfo) IsDir() bool                { return i.n.isDir() }
func (i treeInfo) Sys() any                   { return nil }
func (i treeInfo) Type() fs.FileMode          { return i.Mode().Type() }
func (i treeInfo) Info() (fs.FileInfo, error) { return i, nil }

// treeFile is an open file of a memTree: it can seek and read at offsets.
type treeFile struct {
	n *treeNode
	*bytes.Reader
}

func (f *treeFile) Stat() (fs.FileInfo, error) { return treeInfo{f.n}, nil }
func (f *treeFile) Close() error               { return nil }

// treeDir is an open directory of a memTree.
type treeDir struct {
	n       *treeNode
	entries []fs.DirEntry // sorted by name, made at the first ReadDir
	off     int
}

func (d *treeDir) Stat() (fs.FileInfo, error) { return treeInfo{d.n}, nil }
func (d *treeDir) Close() error               { return nil }
func (d *treeDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errors.New("is a directory")}
}

// ReadDir implements fs.ReadDirFile.
func (d *treeDir) ReadDir(count int) ([]fs.DirEntry, error) {
	if d.entries == nil {
		d.entries = []fs.DirEntry{}
		for _, name := range slices.Sorted(maps.Keys(d.n.children)) {
			d.entries = append(d.entries, treeInfo{d.n.children[name]})
		}
	}
	rest := d.entries[d.off:]
	if count > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	d.off += len(rest)
	return rest, nil
}

// inPackages reports whether p, a path of the root mount, is under
// PackagesDir: a context's file there is saved and reopened by its path,
// like the standard library's.
func inPackages(p string) bool {
	_, ok := route(p)
	return ok
}

// has reports whether name, a path of the root mount under PackagesDir, is
// one of the packages' files or directories.
func (p *Packages) has(name string) bool {
	rel, ok := route(name)
	if p == nil || !ok {
		return false
	}
	f, err := p.tree.Open(rel)
	if err == nil {
		f.Close()
	}
	return err == nil
}
