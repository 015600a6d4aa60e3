package runtime

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyDev is a shell command running a Python program given as lines.
func pyDev(lines ...string) string {
	return `python3 -c '` + strings.Join(lines, "\n") + `'`
}

func TestDevFromPython(t *testing.T) {
	tests := []struct {
		name, command, stdin, stdout, stderr string
	}{
		{"null swallows writes and reads empty", pyDev(
			`print(open("/dev/null", "w").write("gone"), open("/dev/null", "rb").read())`,
			`with open("/dev/null", "a") as f: f.write("x" * 100000)`,
		), "", "4 b''\n", ""},
		{"zero reads what was asked", pyDev(
			`f = open("/dev/zero", "r+b")`,
			`print(f.read(5), len(f.read(100000)), f.write(b"ab"))`,
		), "", "b'\\x00\\x00\\x00\\x00\\x00' 100000 2\n", ""},
		{"urandom and random read what was asked", pyDev(
			`a, b = open("/dev/urandom", "rb").read(64), open("/dev/random", "rb").read(64)`,
			`print(len(a), len(b), a != b)`,
		), "", "64 64 True\n", ""},
		{"stdin is the job's standard input", pyDev(
			`print(open("/dev/stdin").read().upper(), end="")`,
		), "line one\nline two\n", "LINE ONE\nLINE TWO\n", ""},
		{"stdout and stderr are the job's streams", pyDev(
			`open("/dev/stdout", "w").write("out\n")`,
			`open("/dev/stderr", "w").write("err\n")`,
			`with open("/dev/stdout", "a") as f: print("appended", file=f)`,
		), "", "out\nappended\n", "err\n"},
		{"character devices in a listing", pyDev(
			`import os, stat`,
			`print("dev" in os.listdir("/"), sorted(os.listdir("/dev")))`,
			`print(all(stat.S_ISCHR(os.stat("/dev/" + n).st_mode) for n in os.listdir("/dev")), os.path.isdir("/dev"))`,
		), "", "True ['null', 'random', 'stderr', 'stdin', 'stdout', 'urandom', 'zero']\nTrue True\n", ""},
		{"logging to os.devnull", pyDev(
			`import logging, os`,
			`logging.basicConfig(filename=os.devnull)`,
			`logging.warning("x"); print("ok")`,
		), "", "ok\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.command, ExecOptions{Stdin: strings.NewReader(tc.stdin)})
			assertRan(t, 0, tc.stdout, res)
			assert.Equal(t, tc.stderr, res.Stderr)
		})
	}
}

func TestDevFromShell(t *testing.T) {
	tests := []struct {
		name, command, stdout string
	}{
		{"head of zero", `head -c 4 /dev/zero | od -An -tx1`, " 00 00 00 00\n"},
		{"echo to null", `echo x > /dev/null`, ""},
		{"cat null", `cat /dev/null`, ""},
		{"ls /dev", `ls /dev`, "null\nrandom\nstderr\nstdin\nstdout\nurandom\nzero\n"},
		{"ls / shows dev", `ls / | grep -x dev`, "dev\n"},
		{"ls -l a device", `ls -l /dev/null | cut -c1-10`, "crw-rw-rw-\n"},
		{"test -c", `test -c /dev/zero && test -d /dev && echo yes`, "yes\n"},
		{"urandom through a pipe", `head -c 16 /dev/urandom | wc -c`, "16\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.command, ExecOptions{})
			assertRan(t, 0, tc.stdout, res)
		})
	}
}

func TestDevUnchangeable(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	res := execIn(t, s, pyDev(
		`import os`,
		`ops = [`,
		`  ("remove", lambda: os.remove("/dev/null")),`,
		`  ("rmdir", lambda: os.rmdir("/dev")),`,
		`  ("mkdir under", lambda: os.mkdir("/dev/x")),`,
		`  ("mkdir itself", lambda: os.mkdir("/dev")),`,
		`  ("mkdir below a device", lambda: os.mkdir("/dev/null/x")),`,
		`  ("create", lambda: open("/dev/new", "w")),`,
		`  ("exclusive create", lambda: open("/dev/null", "x")),`,
		`  ("rename from", lambda: os.rename("/dev/zero", "/tmp/z")),`,
		`  ("rename onto", lambda: (open("/tmp/f", "w").close(), os.rename("/tmp/f", "/dev/null"))),`,
		`  ("rename /dev", lambda: os.rename("/dev", "/d")),`,
		`  ("link into", lambda: os.link("/tmp/f", "/dev/f")),`,
		`  ("symlink into", lambda: os.symlink("/tmp/f", "/dev/f")),`,
		`]`,
		`for name, op in ops:`,
		`  try: op(); print(name, "succeeded")`,
		`  except OSError as e: print(name, type(e).__name__)`,
		`print(sorted(os.listdir("/dev")))`,
	), ExecOptions{})
	assertRan(t, 0, strings.Join([]string{
		"remove PermissionError", "rmdir PermissionError", "mkdir under PermissionError",
		"mkdir itself FileExistsError", "mkdir below a device NotADirectoryError", "create PermissionError", "exclusive create FileExistsError",
		"rename from PermissionError", "rename onto PermissionError", "rename /dev PermissionError",
		"link into PermissionError", "symlink into PermissionError",
		"['null', 'random', 'stderr', 'stdin', 'stdout', 'urandom', 'zero']", "",
	}, "\n"), res)

	res = execIn(t, s, `rm /dev/null; mkdir /dev/d; ls /dev | wc -l`, ExecOptions{})
	assert.Equal(t, "7\n", res.Stdout, "stderr %q", res.Stderr)
	assert.Contains(t, res.Stderr, "Permission denied")
}

// The devices are no files of the sandbox's: the host's file API lists
// them, as a container's would, and refuses to read or change them.
func TestDevInSandboxFileAPI(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	res := execIn(t, s, `echo x > /dev/null && head -c 8 /dev/zero > /tmp/z && python3 -c 'open("/dev/null", "w").write("y")'`, ExecOptions{})
	require.Equal(t, 0, res.ExitCode, "stderr %q", res.Stderr)
	names := func(dir string) []string {
		files, err := s.ListFiles(dir)
		require.NoError(t, err)
		var names []string
		for _, f := range files {
			names = append(names, f.Name)
		}
		return names
	}
	assert.Equal(t, []string{"dev", "tmp"}, names("/"))
	assert.Equal(t, devNames, names("/dev"))
	devs, err := s.ListFiles("/dev")
	require.NoError(t, err)
	assert.Equal(t, fs.ModeDevice|fs.ModeCharDevice|0o666, devs[0].Mode)
	assert.True(t, s.Exists("/dev/zero"))
	assert.False(t, s.Exists("/dev/nope"))
	_, err = s.ReadFile("/dev/zero")
	assert.ErrorIs(t, err, fs.ErrPermission)
	_, err = s.ReadFile("/dev/nope")
	assert.ErrorIs(t, err, fs.ErrNotExist)
	for name, op := range map[string]func() error{
		"write":  func() error { return s.WriteFile("/dev/null", []byte("x")) },
		"mkdir":  func() error { return s.Mkdir("/dev/d") },
		"delete": func() error { return s.DeleteFile("/dev") },
	} {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, op(), fs.ErrPermission)
		})
	}
}

func TestDevURandomDeterministic(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	read := func(seed uint64) string {
		res, err := s.Exec(context.Background(), pyDev(`print(open("/dev/urandom", "rb").read(16).hex(), open("/dev/random", "rb").read(4).hex())`),
			ExecOptions{Deterministic: true, Seed: seed})
		require.NoError(t, err)
		require.Equal(t, 0, res.ExitCode, "stderr %q", res.Stderr)
		return res.Stdout
	}
	first := read(7)
	assert.Equal(t, first, read(7), "the same seed")
	assert.NotEqual(t, first, read(8), "another seed")
}

func TestDevURandomDeterministicInTheShell(t *testing.T) {
	// The shell's own utilities read the seeded stream too.
	s := newSandbox(t, SandboxConfig{})
	read := func(opts ExecOptions) string {
		res := execIn(t, s, "head -c 8 /dev/urandom | od -An -tx1", opts)
		require.Equal(t, 0, res.ExitCode, "stderr %q", res.Stderr)
		return res.Stdout
	}
	first := read(ExecOptions{Deterministic: true, Seed: 7})
	assert.Equal(t, first, read(ExecOptions{Deterministic: true, Seed: 7}), "the same seed")
	assert.NotEqual(t, first, read(ExecOptions{Deterministic: true, Seed: 8}), "another seed")
	assert.NotEqual(t, read(ExecOptions{}), read(ExecOptions{}), "not deterministic: crypto/rand")
}

func TestDevZeroReadBoundedByMemory(t *testing.T) {
	s := newSandbox(t, SandboxConfig{MemoryLimit: 128 << 20})
	res := execIn(t, s, `python3 -c "open('/dev/zero','rb').read(10**9)"`, ExecOptions{})
	assert.Equal(t, ExitMemory, res.ExitCode, "stderr %q", res.Stderr)
	assert.True(t, res.MemoryExceeded)
	assert.Contains(t, res.Stderr, "MemoryError")
}
