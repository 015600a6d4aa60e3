package coreutils

import (
	"io/fs"
	"path"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// maxLinks is how many symbolic links one path may go through, as Linux.
const maxLinks = 40

// missingOK says which components of a path canonicalize lets be missing.
type missingOK int

const (
	mustExist   missingOK = iota // readlink -e, realpath -e
	lastMissing                  // readlink -f, realpath
	anyMissing                   // readlink -m, realpath -m
)

// canonicalize resolves p to an absolute sandbox path without ".", ".."
// or symbolic links; absolute link targets start at the sandbox's root,
// so no link resolves outside it.
func (c *call) canonicalize(p string, missing missingOK) (string, error) {
	if p == "" {
		return "", errOf(enoent)
	}
	// A relative path starts at the working directory, whose own
	// components are resolved too (it may have been reached by a link).
	if !path.IsAbs(p) {
		p = c.Abs(".") + "/" + p
	}
	rest := strings.Split(p, "/")
	resolved := "/"
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, name)
		st, err := c.lstat(next)
		if err != nil {
			last := !hasComponent(rest)
			if errno(err) == enoent && (missing == anyMissing || missing == lastMissing && last) {
				resolved = next
				continue
			}
			return "", err
		}
		if st.Mode&fs.ModeSymlink != 0 {
			if links++; links > maxLinks {
				return "", errOf(eloop)
			}
			target, e := c.FS.Readlink(c.Path(next))
			if e != 0 {
				return "", e
			}
			if path.IsAbs(target) {
				resolved = "/"
			}
			rest = append(strings.Split(target, "/"), rest...)
			continue
		}
		if !st.Mode.IsDir() && hasComponent(rest) && missing != anyMissing {
			return "", errOf(enotdir)
		}
		resolved = next
	}
	return resolved, nil
}

// hasComponent reports whether the rest of a split path names anything.
func hasComponent(rest []string) bool {
	for _, r := range rest {
		if r != "" && r != "." {
			return true
		}
	}
	return false
}

// isDir reports whether p is a directory (following links).
func (c *call) isDir(p string) bool {
	st, err := c.stat(p)
	return err == nil && st.Mode.IsDir()
}

// exists reports whether p names anything, a dangling link included.
func (c *call) exists(p string) bool {
	_, err := c.lstat(p)
	return err == nil
}

// unixPerm converts Go's mode bits to the Unix ones (07777).
func unixPerm(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}

// goPerm converts Unix mode bits (07777) to Go's.
func goPerm(u uint32) fs.FileMode {
	m := fs.FileMode(u & 0o777)
	if u&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if u&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if u&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// umask is the sandbox's fixed file creation mask.
const umask = 0o022

// mkdirErr makes an FS Mkdir error read as Linux's: a missing parent is
// ENOENT, and a path through a file ENOTDIR.
func (c *call) mkdir(p string, perm fs.FileMode) error {
	e := c.FS.Mkdir(c.Path(p), perm)
	if e == experimentalsys.ENOENT {
		if d := path.Dir(c.Abs(p)); c.exists(d) && !c.isDir(d) {
			e = enotdir
		}
	}
	return errOf(e)
}

// dirLoop keeps the directories a walk that follows links is inside, so
// that a link back to one of them ends the descent instead of looping.
type dirLoop struct {
	c    *call
	open map[string]string // canonical path -> the path the walk entered
}

func newDirLoop(c *call) *dirLoop { return &dirLoop{c: c, open: map[string]string{}} }

// enter records directory p; when p is one the walk is already inside,
// it returns that directory's path and false, and p must be skipped.
func (d *dirLoop) enter(p string) (string, bool) {
	canon, err := d.c.canonicalize(p, mustExist)
	if err != nil {
		return "", true // not resolvable: the walk reports it when reading
	}
	if first, ok := d.open[canon]; ok {
		return first, false
	}
	d.open[canon] = p
	return "", true
}

// leave forgets directory p once its descent is done.
func (d *dirLoop) leave(p string) {
	if canon, err := d.c.canonicalize(p, mustExist); err == nil && d.open[canon] == p {
		delete(d.open, canon)
	}
}
