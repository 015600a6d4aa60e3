package coreutils

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

func init() {
	register(cp, "cp")
	register(mv, "mv")
}

var cpSpec = optSpec{
	short: "rRapfinvdLPHTt:u",
	long: map[string]string{
		"recursive": "r", "archive": "a", "force": "f", "interactive": "i", "no-clobber": "n",
		"verbose": "v", "no-dereference": "P", "dereference": "L", "target-directory=": "t",
		"no-target-directory": "T", "update": "u", "preserve=?": "p", "parents": "parents",
	},
}

// cp copies files, and with -r (or -a) directories; -p (and -a) keep
// modes and times, -f replaces what cannot be opened, -n keeps what
// exists. With -r symbolic links are copied as links (-L follows them).
func cp(c *call) int {
	o, code := c.parseOpts(cpSpec)
	if o == nil {
		return code
	}
	if o.has("a") {
		o.list = append(o.list, opt{key: "r"}, opt{key: "p"}, opt{key: "P"})
	}
	srcs, dir, ok := c.targets(o)
	if !ok {
		return c.finish()
	}
	for _, src := range srcs {
		if c.stopped() {
			break
		}
		dst := o.operands[len(o.operands)-1]
		if dir != "" {
			dst = join(dir, baseName(src))
		}
		var loops *dirLoop
		if o.has("L") {
			loops = newDirLoop(c)
		}
		c.copyPath(src, dst, o, true, loops)
	}
	return c.finish()
}

// targets sorts cp's and mv's operands into sources and a target
// directory ("" when the last operand is the one destination); it reports
// its errors itself.
func (c *call) targets(o *opts) (srcs []string, dir string, ok bool) {
	args := o.operands
	if t, has := o.val("t"); has {
		if !c.isDir(t) {
			c.errorf("target directory %s: %s", quote(t), errText(c.statErr(t)))
			return nil, "", false
		}
		if len(args) == 0 {
			c.usage(1, "missing file operand")
			c.status = 1
			return nil, "", false
		}
		return args, t, true
	}
	switch {
	case len(args) == 0:
		c.usage(1, "missing file operand")
		c.status = 1
		return nil, "", false
	case len(args) == 1:
		c.usage(1, "missing destination file operand after %s", quote(args[0]))
		c.status = 1
		return nil, "", false
	case o.has("T"):
		if len(args) > 2 {
			c.usage(1, "extra operand %s", quote(args[2]))
			c.status = 1
			return nil, "", false
		}
		return args[:1], "", true
	}
	last := args[len(args)-1]
	if c.isDir(last) {
		return args[:len(args)-1], last, true
	}
	if len(args) > 2 {
		c.errorf("target %s: %s", quote(last), errText(c.statErr(last)))
		return nil, "", false
	}
	return args[:1], "", true
}

// statErr is why p is not a directory.
func (c *call) statErr(p string) error {
	if _, err := c.stat(p); err != nil {
		return err
	}
	return errOf(enotdir)
}

// sameFile reports whether a and b are one file.
func (c *call) sameFile(a, b string, sta, stb sys.Stat_t) bool {
	if sta.Ino != 0 && sta.Ino == stb.Ino && sta.Dev == stb.Dev {
		return true
	}
	ca, err1 := c.canonicalize(a, mustExist)
	cb, err2 := c.canonicalize(b, mustExist)
	return err1 == nil && err2 == nil && ca == cb
}

// inside reports whether path p is dir or below it.
func (c *call) inside(p, dir string) bool {
	cp, err1 := c.canonicalize(p, anyMissing)
	cd, err2 := c.canonicalize(dir, anyMissing)
	return err1 == nil && err2 == nil && (cp == cd || strings.HasPrefix(cp, cd+"/"))
}

// copyPath copies src to dst; top says src is an operand; loops, when
// following links (-L), stops at a link back to a directory being copied.
func (c *call) copyPath(src, dst string, o *opts, top bool, loops *dirLoop) {
	if c.stopped() {
		return
	}
	recursive := o.has("r") || o.has("R")
	deref := o.has("L") || !recursive && !o.has("P") && !o.has("d") || top && o.has("H")
	st, err := c.lstat(src)
	if err == nil && deref && st.Mode&fs.ModeSymlink != 0 {
		st, err = c.stat(src)
	}
	if err != nil {
		c.errorf("cannot stat %s: %s", quote(src), errText(err))
		return
	}
	dstSt, dstErr := c.lstat(dst)
	exists := dstErr == nil
	if exists && c.sameFile(src, dst, st, dstSt) && st.Mode&fs.ModeSymlink == 0 {
		c.errorf("%s and %s are the same file", quote(src), quote(dst))
		return
	}
	switch {
	case st.Mode.IsDir():
		if loops != nil {
			first, ok := loops.enter(src)
			if !ok {
				c.errorf("%s: directory loop: a link back to %s", quote(src), quote(first))
				return
			}
			defer loops.leave(src)
		}
		c.copyDir(src, dst, st, o, exists, dstSt, loops)
		return
	case exists && o.has("n"):
		return
	case exists && o.has("u") && dstSt.Mtim >= st.Mtim:
		return
	case exists && dstSt.Mode.IsDir():
		c.errorf("cannot overwrite directory %s with non-directory", quote(dst))
		return
	case st.Mode&fs.ModeSymlink != 0:
		target, e := c.FS.Readlink(c.Path(src))
		if e == 0 && exists {
			e = c.FS.Unlink(c.Path(dst))
		}
		if e == 0 {
			e = c.FS.Symlink(target, c.Path(dst))
		}
		if e != 0 {
			c.errorf("cannot create symbolic link %s: %s", quote(dst), errText(e))
			return
		}
	default:
		if !c.copyFile(src, dst, st, o, exists) {
			return
		}
	}
	if o.has("v") {
		fmt.Fprintf(c.out, "%s -> %s\n", quote(src), quote(dst))
	}
}

// copyDir copies a directory and what it holds.
func (c *call) copyDir(src, dst string, st sys.Stat_t, o *opts, exists bool, dstSt sys.Stat_t, loops *dirLoop) {
	if !o.has("r") && !o.has("R") {
		c.errorf("-r not specified; omitting directory %s", quote(src))
		return
	}
	if c.inside(dst, src) {
		c.errorf("cannot copy a directory, %s, into itself, %s", quote(src), quote(dst))
		return
	}
	if exists && !dstSt.Mode.IsDir() {
		c.errorf("cannot overwrite non-directory %s with directory %s", quote(dst), quote(src))
		return
	}
	if !exists {
		if err := c.mkdir(dst, goPerm(unixPerm(st.Mode)&^umask|0o700)); err != nil {
			c.errorf("cannot create directory %s: %s", quote(dst), errText(err))
			return
		}
		if o.has("v") {
			fmt.Fprintf(c.out, "%s -> %s\n", quote(src), quote(dst))
		}
	}
	ents, err := c.readDir(src)
	if err != nil {
		c.errorf("cannot access %s: %s", quote(src), errText(err))
		return
	}
	for _, name := range sortedNames(ents) {
		c.copyPath(join(src, name), join(dst, name), o, false, loops)
	}
	perm := unixPerm(st.Mode)
	if !o.has("p") {
		perm &^= umask
		if exists {
			perm = unixPerm(dstSt.Mode)
		}
	}
	c.FS.Chmod(c.Path(dst), goPerm(perm))
	if o.has("p") {
		c.FS.Utimens(c.Path(dst), st.Atim, st.Mtim)
	}
}

// copyFile copies a regular file's bytes, mode (masked unless -p) and,
// with -p, times.
func (c *call) copyFile(src, dst string, st sys.Stat_t, o *opts, exists bool) bool {
	in, err := c.open(src)
	if err != nil {
		c.errorf("cannot open %s for reading: %s", quote(src), errText(err))
		return false
	}
	defer in.Close()
	perm := goPerm(unixPerm(st.Mode) &^ umask)
	flag := experimentalsys.O_WRONLY | experimentalsys.O_CREAT | experimentalsys.O_TRUNC
	f, e := c.FS.OpenFile(c.Path(dst), flag, perm)
	if e != 0 && exists && o.has("f") {
		c.FS.Unlink(c.Path(dst))
		f, e = c.FS.OpenFile(c.Path(dst), flag, perm)
	}
	if e != 0 {
		c.errorf("cannot create regular file %s: %s", quote(dst), errText(e))
		return false
	}
	out := file{f}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if c.ctx.Err() == nil {
			c.errorf("error writing %s: %s", quote(dst), errText(err))
		}
		return false
	}
	if o.has("p") {
		c.FS.Chmod(c.Path(dst), goPerm(unixPerm(st.Mode)))
		c.FS.Utimens(c.Path(dst), st.Atim, st.Mtim)
	}
	return true
}

var mvSpec = optSpec{
	short: "finvTt:u",
	long: map[string]string{
		"force": "f", "interactive": "i", "no-clobber": "n", "verbose": "v",
		"target-directory=": "t", "no-target-directory": "T", "update": "u",
	},
}

// mv renames files and directories; -n keeps what exists, -f (the
// default here: there is no one to ask) replaces it.
func mv(c *call) int {
	o, code := c.parseOpts(mvSpec)
	if o == nil {
		return code
	}
	srcs, dir, ok := c.targets(o)
	if !ok {
		return c.finish()
	}
	for _, src := range srcs {
		if c.stopped() {
			break
		}
		dst := o.operands[len(o.operands)-1]
		if dir != "" {
			dst = join(dir, baseName(src))
		}
		c.move(src, dst, o)
	}
	return c.finish()
}

// move renames one file.
func (c *call) move(src, dst string, o *opts) {
	st, err := c.lstat(src)
	if err != nil {
		c.errorf("cannot stat %s: %s", quote(src), errText(err))
		return
	}
	dstSt, dstErr := c.lstat(dst)
	exists := dstErr == nil
	switch {
	case exists && c.sameFile(src, dst, st, dstSt):
		c.errorf("%s and %s are the same file", quote(src), quote(dst))
		return
	case st.Mode.IsDir() && c.inside(dst, src):
		c.errorf("cannot move %s to a subdirectory of itself, %s", quote(src), quote(dst))
		return
	case exists && o.has("n"), exists && o.has("u") && dstSt.Mtim >= st.Mtim:
		return
	case exists && st.Mode.IsDir() && !dstSt.Mode.IsDir():
		c.errorf("cannot overwrite non-directory %s with directory %s", quote(dst), quote(src))
		return
	case exists && !st.Mode.IsDir() && dstSt.Mode.IsDir():
		c.errorf("cannot overwrite directory %s with non-directory", quote(dst))
		return
	}
	if err := errOf(c.FS.Rename(c.Path(src), c.Path(dst))); err != nil {
		c.errorf("cannot move %s to %s: %s", quote(src), quote(dst), errText(err))
		return
	}
	if o.has("v") {
		fmt.Fprintf(c.out, "renamed %s -> %s\n", quote(src), quote(dst))
	}
}
