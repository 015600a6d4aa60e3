package runtime

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// writeFS creates the file p holding data through the FS interface.
func writeFS(t *testing.T, m experimentalsys.FS, p, data string) {
	t.Helper()
	f, errno := m.OpenFile(p, experimentalsys.O_CREAT|experimentalsys.O_WRONLY|experimentalsys.O_TRUNC, 0o644)
	require.Zero(t, errno, "create %s", p)
	_, errno = f.Write([]byte(data))
	require.Zero(t, errno, "write %s", p)
	require.Zero(t, f.Close())
}

// readFS reads the file p through the FS interface.
func readFS(m experimentalsys.FS, p string) (string, experimentalsys.Errno) {
	f, errno := m.OpenFile(p, experimentalsys.O_RDONLY, 0)
	if errno != 0 {
		return "", errno
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, errno := f.Read(buf)
	return string(buf[:n]), errno
}

func TestMemfsSymlinks(t *testing.T) {
	m := newMemFS(1<<20, 100)
	require.Zero(t, m.Mkdir("work", 0o755))
	require.Zero(t, m.Mkdir("work/sub", 0o755))
	writeFS(t, m, "work/sub/f.txt", "hello")

	require.Zero(t, m.Symlink("sub/f.txt", "work/rel"))
	require.Zero(t, m.Symlink("/work/sub", "work/abs"))
	require.Zero(t, m.Symlink("../../../../work/sub/f.txt", "work/sub/up"))
	require.Zero(t, m.Symlink("/nowhere/x", "work/dangling"))
	require.Zero(t, m.Symlink("loop2", "work/loop1"))
	require.Zero(t, m.Symlink("loop1", "work/loop2"))

	t.Run("read through links", func(t *testing.T) {
		for _, p := range []string{"work/rel", "work/abs/f.txt", "/work/abs/../sub/f.txt", "work/sub/up"} {
			got, errno := readFS(m, p)
			assert.Zero(t, errno, p)
			assert.Equal(t, "hello", got, p)
		}
	})
	t.Run("readlink gives the target as written", func(t *testing.T) {
		got, errno := m.Readlink("work/rel")
		assert.Zero(t, errno)
		assert.Equal(t, "sub/f.txt", got)
		_, errno = m.Readlink("work/sub/f.txt")
		assert.Equal(t, experimentalsys.EINVAL, errno, "not a link")
		_, errno = m.Readlink("work/missing")
		assert.Equal(t, experimentalsys.ENOENT, errno)
	})
	t.Run("lstat describes the link, stat its target", func(t *testing.T) {
		l, errno := m.Lstat("work/abs")
		require.Zero(t, errno)
		assert.Equal(t, fs.ModeSymlink, l.Mode.Type())
		assert.Equal(t, int64(len("/work/sub")), l.Size)
		s, errno := m.Stat("work/abs")
		require.Zero(t, errno)
		assert.True(t, s.Mode.IsDir())
	})
	t.Run("loops end in ELOOP", func(t *testing.T) {
		_, errno := m.Stat("work/loop1")
		assert.Equal(t, experimentalsys.ELOOP, errno)
		_, errno = m.OpenFile("work/loop1", experimentalsys.O_RDONLY, 0)
		assert.Equal(t, experimentalsys.ELOOP, errno)
	})
	t.Run("O_NOFOLLOW on a link is ELOOP", func(t *testing.T) {
		_, errno := m.OpenFile("work/rel", experimentalsys.O_RDONLY|experimentalsys.O_NOFOLLOW, 0)
		assert.Equal(t, experimentalsys.ELOOP, errno)
	})
	t.Run("a dangling link is created through, inside the sandbox", func(t *testing.T) {
		_, errno := m.Stat("work/dangling")
		assert.Equal(t, experimentalsys.ENOENT, errno)
		require.Zero(t, m.Mkdir("nowhere", 0o755))
		writeFS(t, m, "work/dangling", "made")
		got, errno := readFS(m, "/nowhere/x")
		assert.Zero(t, errno)
		assert.Equal(t, "made", got)
	})
	t.Run("unlink removes the link, not its target", func(t *testing.T) {
		require.Zero(t, m.Symlink("sub/f.txt", "work/gone"))
		require.Zero(t, m.Unlink("work/gone"))
		_, errno := m.Lstat("work/gone")
		assert.Equal(t, experimentalsys.ENOENT, errno)
		_, errno = m.Stat("work/sub/f.txt")
		assert.Zero(t, errno)
	})
	t.Run("existing names and bad targets are refused", func(t *testing.T) {
		assert.Equal(t, experimentalsys.EEXIST, m.Symlink("x", "work/rel"))
		assert.Equal(t, experimentalsys.ENOENT, m.Symlink("", "work/empty"))
		assert.Equal(t, experimentalsys.EINVAL, m.Symlink("a\x00b", "work/nul"))
		assert.Equal(t, experimentalsys.ENAMETOOLONG, m.Symlink(strings.Repeat("a", maxTargetLen+1), "work/long"))
		assert.Equal(t, experimentalsys.ENOTDIR, m.Rmdir("work/abs"), "rmdir of a link to a directory")
	})
	t.Run("rename through a link into the directory itself is refused", func(t *testing.T) {
		assert.Equal(t, experimentalsys.EINVAL, m.Rename("work/sub", "work/abs/inner"))
	})
}

func TestMemfsSymlinkTargetsCount(t *testing.T) {
	m := newMemFS(100, 100)
	require.Zero(t, m.Symlink(strings.Repeat("t", 60), "a"))
	assert.Equal(t, errNoSpace, m.Symlink(strings.Repeat("t", 60), "b"), "the second target passes the 100-byte cap")
	require.Zero(t, m.Unlink("a"))
	assert.Zero(t, m.Symlink(strings.Repeat("t", 60), "b"), "after the first link is removed")
}

func TestMemfsHardLinks(t *testing.T) {
	m := newMemFS(1<<20, 100)
	writeFS(t, m, "a", "data")
	require.Zero(t, m.Link("a", "b"))
	st, errno := m.Stat("b")
	require.Zero(t, errno)
	assert.Equal(t, uint64(2), st.Nlink)
	require.Zero(t, m.Unlink("a"))
	got, errno := readFS(m, "b")
	assert.Zero(t, errno)
	assert.Equal(t, "data", got, "the data lives while a name does")
	assert.Equal(t, int64(4), m.bytes)
	require.Zero(t, m.Unlink("b"))
	assert.Equal(t, int64(0), m.bytes)

	require.Zero(t, m.Mkdir("d", 0o755))
	assert.Equal(t, experimentalsys.EPERM, m.Link("d", "d2"), "directories cannot be linked")
}

func TestMemfsChmodKeepsBits(t *testing.T) {
	m := newMemFS(1<<20, 100)
	writeFS(t, m, "run.sh", "#!/bin/sh\n")
	require.Zero(t, m.Symlink("run.sh", "link"))
	require.Zero(t, m.Chmod("link", 0o755), "chmod follows the link")
	st, errno := m.Stat("run.sh")
	require.Zero(t, errno)
	assert.Equal(t, fs.FileMode(0o755), st.Mode.Perm())
}

func TestSandboxSymlinksFromPython(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	res := execIn(t, s, `python3 -c '
import errno, os
os.makedirs("/workspace/a/b")
open("/workspace/a/b/f.txt", "w").write("hi")
os.symlink("a/b/f.txt", "/workspace/rel")
os.symlink("/workspace/a", "/workspace/abs")
os.symlink("../../..", "/workspace/a/b/up")
print(open("/workspace/rel").read())
print(os.readlink("/workspace/rel"))
print(os.path.realpath("/workspace/abs/b/f.txt"))
print(os.path.islink("/workspace/abs"), os.path.isdir("/workspace/abs"))
print(os.path.realpath("/workspace/a/b/up"))
print(sorted(os.listdir("/workspace/a/b/up")))
os.symlink("loop", "/workspace/loop")
try:
    open("/workspace/loop")
except OSError as e:
    print(e.errno == errno.ELOOP)
'`, ExecOptions{})
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, strings.Join([]string{
		"hi",
		"a/b/f.txt",
		"/workspace/a/b/f.txt",
		"True True",
		"/",
		"['dev', 'tmp', 'workspace']",
		"True",
	}, "\n")+"\n", res.Stdout)

	link, err := s.ReadFile("/workspace/abs/b/f.txt")
	require.NoError(t, err, "the host API follows the guest's links")
	assert.Equal(t, "hi", string(link))
}

// TestSandboxFSSharedWithGuest: what host code does through Sandbox.FS (the
// shell's utilities) the guest sees, and the other way round; absolute and
// relative paths name the same files.
func TestSandboxFSSharedWithGuest(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	fsys := s.FS()
	require.Zero(t, fsys.Mkdir("/workspace", 0o755))
	writeFS(t, fsys, "/workspace/run.sh", "echo hi\n")
	require.Zero(t, fsys.Chmod("workspace/run.sh", 0o755))
	require.Zero(t, fsys.Symlink("run.sh", "/workspace/link"))

	res := execIn(t, s, `python3 -c '
import os, stat
print(os.readlink("/workspace/link"), open("/workspace/link").read().strip())
os.symlink("/workspace/run.sh", "/workspace/from-guest")
'`, ExecOptions{})
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	assert.Equal(t, "run.sh echo hi\n", res.Stdout)

	target, errno := fsys.Readlink("/workspace/from-guest")
	require.Zero(t, errno)
	assert.Equal(t, "/workspace/run.sh", target)
	st, errno := fsys.Stat("/workspace/from-guest")
	require.Zero(t, errno)
	assert.Equal(t, fs.FileMode(0o755), st.Mode.Perm(), "the executable bits are kept")
}
