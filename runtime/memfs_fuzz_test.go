package runtime

import (
	"bytes"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// checkTree walks a sandbox's filesystem and fails t unless every name is a
// plain file name (no "/", NUL, "." or "..", at most maxNameLen bytes) and
// the byte and entry counts match the tree and stay within the caps.
func checkTree(t *testing.T, m *memFS) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var bytes int64
	var nodes int
	var walk func(n *node, at string)
	walk = func(n *node, at string) {
		for name, c := range n.children {
			bad := name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > maxNameLen
			require.False(t, bad, "bad name %q under %q", name, at)
			nodes++
			bytes += int64(len(c.data))
			if c.dir {
				walk(c, path.Join(at, name))
			} else {
				require.Nil(t, c.children, "file %s has children", path.Join(at, name))
			}
		}
	}
	walk(m.root, "/")
	require.Equal(t, bytes, m.bytes, "bytes counted, against those in the tree")
	require.Equal(t, nodes, m.nodes, "entries counted, against those in the tree")
	require.LessOrEqual(t, m.bytes, m.maxBytes, "bytes over the cap")
	require.LessOrEqual(t, m.nodes, m.maxNodes, "entries over the cap")
}

// FuzzSandboxPaths applies sequences of file operations, through the host
// API (as the server's file routes do) and through the interface the guest's
// WASI calls reach, with arbitrary paths: "..", absolute and relative, NUL
// bytes, long names, symlink-like names. Nothing may panic, climb above the
// root, break the tree or its accounting, or pass the caps.
func FuzzSandboxPaths(f *testing.F) {
	for _, s := range [][2]string{
		{"/tmp/a", "/tmp/b"}, {"../../etc/passwd", "/etc/passwd"}, {"/..", "/"}, {"a/../../b", "b"},
		{"/tmp/x\x00/../y", "x"}, {strings.Repeat("n", 256), "/" + strings.Repeat("d", 300) + "/f"},
		{"/tmp/link -> /etc", "tmp/../tmp/./c"}, {"/tmp/a", "/tmp/a/b"}, {"", "."}, {"tmp", "tmp/sub/.."},
		{"//tmp///a//", "/tmp/a/"}, {"/tmp/a", "/tmp/a"},
	} {
		f.Add([]byte{0, 4, 6, 2, 1, 7}, s[0], s[1], []byte("data"))
	}
	f.Fuzz(func(t *testing.T, ops []byte, p1, p2 string, data []byte) {
		if len(ops) > 16 {
			ops = ops[:16]
		}
		s, err := testEngine.NewSandbox(SandboxConfig{MaxFSBytes: 4096, MaxFiles: 24})
		require.NoError(t, err)
		defer s.Destroy()
		m := s.fs
		for i, op := range ops {
			a, b := p1, p2
			if op&0x80 != 0 {
				a, b = p2, p1
			}
			if op&0x40 != 0 {
				a = a + "/" + b
			}
			switch op % 10 {
			case 0:
				err := s.WriteFile(a, data)
				switch {
				case !strings.HasPrefix(a, "/") || strings.IndexByte(a, 0) >= 0:
					require.Error(t, err, "WriteFile(%q) accepted a relative or NUL path", a)
				case err == nil:
					got, err := s.ReadFile(path.Clean(a))
					require.NoError(t, err, "WriteFile(%q) then ReadFile", a)
					require.True(t, bytes.Equal(data, got), "WriteFile(%q) then ReadFile: %q", a, got)
				case errors.Is(err, ErrNoSpace) && int64(len(data)) <= m.maxBytes && m.nodes < m.maxNodes && m.bytes+int64(len(data)) <= m.maxBytes:
					require.Failf(t, "ErrNoSpace with room left", "WriteFile(%q) of %d bytes: ErrNoSpace with %d bytes and %d entries used", a, len(data), m.bytes, m.nodes)
				}
			case 1:
				s.Mkdir(a)
			case 2:
				s.DeleteFile(a)
			case 3:
				s.ReadFile(a)
				s.ListFiles(a)
				s.Exists(a)
			case 4:
				if f, errno := m.OpenFile(a, experimentalsys.O_CREAT|experimentalsys.O_RDWR, 0o644); errno == 0 {
					f.Write(data)
					f.Close()
				}
			case 5:
				m.Mkdir(a, 0o755)
			case 6:
				m.Rename(a, b)
			case 7:
				m.Unlink(a)
				m.Rmdir(a)
			case 8:
				if f, errno := m.OpenFile(a, experimentalsys.O_RDWR|experimentalsys.O_TRUNC, 0); errno == 0 {
					f.Pwrite(data, int64(len(data)))
					f.Close()
				}
			case 9:
				// ".." never climbs above the root: the same node as
				// the path taken from the root.
				m.mu.Lock()
				n1, e1 := m.lookup(a)
				n2, e2 := m.lookup("../../../" + a)
				n3, e3 := m.lookup(cleanKeepSlash(a))
				m.mu.Unlock()
				require.True(t, n1 == n2 && n1 == n3 && e1 == e2 && e1 == e3, "op %d: %q resolves differently from above the root", i, a)
			}
			checkTree(t, m)
		}
	})
}

// cleanKeepSlash is path.Clean("/"+p) keeping a trailing slash, which
// asks for a directory: "f/" is ENOTDIR for a file f.
func cleanKeepSlash(p string) string {
	clean := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean
}

// TestNamesRefused is the regression test of what FuzzSandboxPaths found:
// a NUL byte in a name given through the guest's interface, and an
// over-long directory name created on the way to a file by the host API,
// were both accepted.
func TestNamesRefused(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	assert.ErrorIs(t, s.WriteFile("/"+strings.Repeat("d", maxNameLen+1)+"/f", []byte("x")), experimentalsys.ENAMETOOLONG, "long directory name")
	assert.NoError(t, s.WriteFile("/"+strings.Repeat("d", maxNameLen)+"/f", []byte("x")), "a name of %d bytes", maxNameLen)
	_, errno := s.fs.OpenFile("a\x00b", experimentalsys.O_CREAT|experimentalsys.O_RDWR, 0o644)
	assert.Equal(t, experimentalsys.EINVAL, errno, "NUL in a created name")
	assert.Equal(t, experimentalsys.EINVAL, s.fs.Mkdir("tmp/\x00", 0o755), "NUL in a directory name")
	checkTree(t, s.fs)
}
