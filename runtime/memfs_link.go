package runtime

import (
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// Symlink implements experimentalsys.FS: it makes linkPath a symbolic link
// to target, kept as given (wazero's WASI path_symlink passes the guest's
// target untouched). The target counts against the byte cap, the link
// against the entry cap. Where a target leads is decided when the link is
// followed, always inside the sandbox (see memfs_path.go).
func (m *memFS) Symlink(target, linkPath string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.symlink(target, linkPath)
}

// symlink is Symlink; the caller holds m.mu.
func (m *memFS) symlink(target, linkPath string) experimentalsys.Errno {
	switch {
	case target == "":
		return experimentalsys.ENOENT
	case len(target) > maxTargetLen:
		return experimentalsys.ENAMETOOLONG
	case strings.IndexByte(target, 0) >= 0:
		return experimentalsys.EINVAL
	}
	w, errno := m.walk(linkPath, false)
	switch {
	case errno == 0:
		return experimentalsys.EEXIST
	case errno != experimentalsys.ENOENT || w.dir == nil:
		return errno
	case m.bytes+int64(len(target)) > m.maxBytes:
		return errNoSpace
	}
	n, errno := m.create(w.dir, w.name, false, 0o777)
	if errno != 0 {
		return errno
	}
	// wazero's path_symlink passes a string that points into the guest's
	// memory, which the guest may change and which is unmapped when the
	// instance ends: keep a copy.
	n.link, n.target = true, strings.Clone(target)
	m.bytes += int64(len(target))
	return 0
}

// Readlink implements experimentalsys.FS: the target of the link at p, as
// it was given; EINVAL when p is not a link.
func (m *memFS) Readlink(p string) (string, experimentalsys.Errno) {
	m.mu.Lock()
	defer m.mu.Unlock()
	w, errno := m.walk(p, false)
	switch {
	case errno != 0:
		return "", errno
	case !w.n.link:
		return "", experimentalsys.EINVAL
	}
	w.n.atim = time.Now().UnixNano()
	return w.n.target, 0
}

// Link implements experimentalsys.FS: a hard link newPath to the file (or
// symbolic link, not followed) at oldPath. Directories cannot be linked
// (EPERM, as on Linux). The file's bytes count once, however many names it
// has; a new name counts against the entry cap.
func (m *memFS) Link(oldPath, newPath string) experimentalsys.Errno {
	m.mu.Lock()
	defer m.mu.Unlock()
	src, errno := m.walk(oldPath, false)
	switch {
	case errno != 0:
		return errno
	case src.n.dir:
		return experimentalsys.EPERM
	}
	dst, errno := m.walk(newPath, false)
	switch {
	case errno == 0:
		return experimentalsys.EEXIST
	case errno != experimentalsys.ENOENT || dst.dir == nil:
		return errno
	case m.nodes >= m.maxNodes:
		return errNoSpace
	}
	m.attach(dst.dir, dst.name, src.n)
	src.n.ctim = time.Now().UnixNano()
	return 0
}
