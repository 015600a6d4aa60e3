package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shell never reaches the host: a file planted on the host, outside
// the sandbox's directory, can be neither read, listed, tested, executed
// nor created through any of the interpreter's routes.

// hostPlant makes a host directory outside the sandbox holding a secret
// file and an executable script, and returns the directory.
func hostPlant(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "secret"), []byte("HOST-SECRET\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "prog.sh"), []byte("#!/bin/sh\necho HOST-RAN\n"), 0o755))
	return dir
}

func TestHostileHostFilesUnreachable(t *testing.T) {
	host := hostPlant(t)
	secret := filepath.Join(host, "secret")
	rel := strings.Repeat("../", 20) + strings.TrimPrefix(secret, "/")
	tests := []struct{ name, script string }{
		{"read redirection", `read -r l < ` + secret + `; echo "$l"`},
		{"read through ..", `cd /tmp; read -r l < ` + rel + `; echo "$l"`},
		{"$(<file)", `echo "$(<` + secret + `)"`},
		{"glob lists", `echo ` + host + `/*`},
		{"test -e", `[ -e ` + secret + ` ] && echo HOST-SECRET exists`},
		{"test -f -r -s", `test -f ` + secret + ` -o -r ` + secret + ` -o -s ` + secret + ` && echo HOST-SECRET found`},
		{"[[ -e ]]", `[[ -e ` + secret + ` ]] && echo HOST-SECRET exists`},
		{"cd", `cd ` + host + ` && echo HOST-SECRET cd`},
		{"source", `. ` + secret},
		{"source on PATH", `PATH=` + host + `; . secret`},
		{"command -v", `command -v ` + host + `/prog.sh; PATH=` + host + ` command -v prog.sh`},
		{"type", `type ` + host + `/prog.sh; PATH=` + host + `; type -p prog.sh`},
		{"exec by path", host + `/prog.sh`},
		{"exec on PATH", `PATH=` + host + ` prog.sh`},
		{"exec builtin", `exec ` + host + `/prog.sh`},
		{"host programs", `ls /; env; id`},
		{"symlink out", `read -r l < /out/secret; echo "$l"; cd /out && pwd -P`},
		{"builtin and command reach builtins", `builtin source ` + secret + `; command . ` + secret + `; builtin type -p prog.sh; PATH=` + host + ` builtin command -v prog.sh`},
		{"builtin cd", `builtin cd ` + host + ` && echo HOST-SECRET cd; command cd ` + host + ` && echo HOST-SECRET cd`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t)
			// A link in the sandbox to the host directory: its target is a
			// sandbox path, which does not exist.
			require.NoError(t, os.Symlink(host, filepath.Join(s.root, "out")))
			res := s.run(tc.script)
			assert.NotContains(t, res.stdout, "HOST-SECRET")
			assert.NotContains(t, res.stdout, "HOST-RAN")
			assert.NotContains(t, res.stderr, "HOST-RAN")
		})
	}
}

func TestHostileNoHostFileCreated(t *testing.T) {
	host := t.TempDir()
	tests := []struct{ name, script string }{
		{"redirection", `echo x > ` + host + `/new`},
		{"append", `echo x >> ` + host + `/new`},
		{"read-write", `exec 3<> ` + host + `/new`},
		{"through ..", `cd /tmp && echo x > ` + strings.Repeat("../", 20) + strings.TrimPrefix(host, "/") + `/new`},
		{"through a link", `echo x > /out/new`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t)
			require.NoError(t, os.Symlink(host, filepath.Join(s.root, "out")))
			s.run(tc.script)
			entries, err := os.ReadDir(host)
			require.NoError(t, err)
			assert.Empty(t, entries)
		})
	}
}

func TestHostileInterpreterTempDir(t *testing.T) {
	// The interpreter opens paths under its temporary directory on the
	// host, bypassing the open handler: with TMPDIR=/tmp, /tmp/sh-interp-*
	// would be the host's. It must be the sandbox's.
	hostTmp := t.TempDir()
	s := newSandbox(t)
	script := `TMPDIR=` + hostTmp + `; export TMPDIR; echo x > ` + hostTmp + `/sh-interp-1; echo y > /tmp/sh-interp-2`
	res := s.run(script)
	entries, err := os.ReadDir(hostTmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "stderr: %s", res.stderr)
	assert.Equal(t, "y\n", s.read("tmp/sh-interp-2"))
}

func TestHostileProcessSubstitutionRefused(t *testing.T) {
	before, err := filepath.Glob(filepath.Join(os.TempDir(), "sh-interp-*"))
	require.NoError(t, err)
	// eval's words are parsed as it runs: the interpreter tries to make the
	// FIFO, in a directory whose name holds a NUL byte, and fails.
	tests := []struct{ name, script, stderr string }{
		{"parsed", `upper < <(echo hi) || echo failed`, "process substitution is not supported"},
		{"through eval", `eval 'upper < <(echo hi)'; echo failed`, "cannot create fifo"},
		{"nested shell", `sh -c 'upper < <(echo hi)' || echo failed`, "process substitution is not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t)
			res := s.run(tc.script)
			assert.NotContains(t, res.stdout, "HI")
			assert.Contains(t, res.stderr, tc.stderr)
		})
	}
	after, err := filepath.Glob(filepath.Join(os.TempDir(), "sh-interp-*"))
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestHostileEnvironment(t *testing.T) {
	t.Setenv("WASMBOX_HOST_SECRET", "HOST-SECRET")
	s := newSandbox(t)
	res := s.run(`echo "$WASMBOX_HOST_SECRET|$HOME|$UID|$EUID|$GID"; getenv WASMBOX_HOST_SECRET; getenv HOME`)
	// HOME is a shell variable, not exported: commands see neither it nor
	// the host's.
	assert.Equal(t, "|/|0|0|0\n\n\n", res.stdout)
}

func TestHostilePwdPhysicalStaysInSandbox(t *testing.T) {
	// pwd -P resolves PWD's links; the interpreter's own does it on the
	// host, also when reached through builtin or command.
	host := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(host, "target"), filepath.Join(host, "link")))
	for _, script := range []string{"pwd -P", "builtin pwd -P", "command pwd -P"} {
		t.Run(script, func(t *testing.T) {
			s := newSandbox(t)
			res := s.run(`PWD=` + host + `/link; ` + script)
			assert.Equal(t, host+"/link\n", res.stdout, "resolved in the sandbox, where the path has no link; stderr: %s", res.stderr)
		})
	}
}

func TestHostileTildeUsers(t *testing.T) {
	// ~USER would read the host's user database.
	res := newSandbox(t).run(`echo ~root ~daemon ~nobody/x ~`)
	assert.Equal(t, "/root ~daemon ~nobody/x /\n", res.stdout)
}
