package runtime

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// TestUnlinkedOpenFilesCount is issue 12's first leak: 8 MiB written, the
// descriptor kept, the name unlinked (or another file renamed over it),
// repeated. The bytes stayed in memory but left the cap's count; they must
// count until the last descriptor closes.
func TestUnlinkedOpenFilesCount(t *testing.T) {
	for name, drop := range map[string]string{
		"unlink":      `os.unlink(p)`,
		"rename over": `open(p + ".new", "wb").close(); os.rename(p + ".new", p)`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{MaxFSBytes: 28 << 20})
			res := execIn(t, s, fmt.Sprintf(`python3 -c '
import errno, os
held = []
try:
    for i in range(16):
        p = "/tmp/f%%d" %% i
        f = open(p, "wb", buffering=0)
        f.write(b"x" * (8 << 20))
        held.append(f)
        %s
except OSError as e:
    print("held", len(held), errno.errorcode[e.errno])
for f in held:
    f.close()
with open("/tmp/after", "wb") as f:
    f.write(b"y" * (20 << 20))
print("after close: written")
'`, drop), ExecOptions{MemoryLimit: 256 << 20})
			require.Equal(t, 0, res.ExitCode, res.Stderr)
			// Three 8 MiB files fit under 28 MiB; the fourth write meets
			// the cap.
			assert.Equal(t, "held 3 ENOSPC\nafter close: written\n", res.Stdout)
			s.fs.mu.Lock()
			defer s.fs.mu.Unlock()
			assert.Less(t, s.fs.bytes, int64(21<<20), "the held files' bytes were freed at close")
		})
	}
}

func TestMemfsOpenFileHoldsBytes(t *testing.T) {
	m := newMemFS(10, 100)
	f, errno := m.OpenFile("a", experimentalsys.O_CREAT|experimentalsys.O_RDWR, 0o644)
	require.Zero(t, errno)
	_, errno = f.Write([]byte("12345678"))
	require.Zero(t, errno)
	require.Zero(t, m.Unlink("a"))
	assert.Equal(t, int64(8), m.bytes, "unlinked but open")
	_, errno = f.Write([]byte("abc"))
	assert.Equal(t, errNoSpace, errno, "the open file's bytes still count")
	require.Zero(t, f.Close())
	assert.Equal(t, int64(0), m.bytes, "freed at the last close")
	assert.Equal(t, 0, m.nodes)
}

// TestOpenFilesCapped is issue 12's descriptor leak: os.open in a loop grew
// the host's descriptor table without bound. Each instance may hold
// MaxOpenFiles descriptors; past them, EMFILE.
func TestOpenFilesCapped(t *testing.T) {
	const script = `python3 -c '
import errno, os
open("/tmp/f", "w").close()
fds = []
try:
    while len(fds) < 100000:
        fds.append(os.open("/tmp/f", os.O_RDONLY))
except OSError as e:
    print(errno.errorcode[e.errno])
print(len(fds) <= %d, len(fds) >= %d)
for fd in fds:
    os.close(fd)
for i in range(5000):
    os.close(os.open("/tmp/f", os.O_RDONLY))
print("closed ones reusable")
'`
	for name, tc := range map[string]struct{ cfg, want int }{
		"default": {0, DefaultMaxOpenFiles},
		"set":     {64, 64},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{MaxOpenFiles: tc.cfg})
			// The interpreter's own descriptors (the preopens, the script)
			// take a few of the cap.
			res := execIn(t, s, fmt.Sprintf(script, tc.want, tc.want-8), ExecOptions{})
			require.Equal(t, 0, res.ExitCode, res.Stderr)
			assert.Equal(t, "EMFILE\nTrue True\nclosed ones reusable\n", res.Stdout)
		})
	}
}

func TestMaxOpenFilesNegative(t *testing.T) {
	_, err := testEngine.NewSandbox(SandboxConfig{MaxOpenFiles: -1})
	assert.Error(t, err)
}
