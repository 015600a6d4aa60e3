package shell

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunBasics(t *testing.T) {
	tests := []struct {
		name, script, stdout string
		status               int
	}{
		{"echo", "echo hi", "hi\n", 0},
		{"pipe to a command", "echo abc | upper", "ABC\n", 0},
		{"command substitution", `x=$(echo abc | upper); echo "[$x]"`, "[ABC]\n", 0},
		{"exit status", "exit 3", "", 3},
		{"not found", "nosuchcmd", "", 127},
		{"redirection and read back", "echo data > /tmp/f; read -r l < /tmp/f; echo $l", "data\n", 0},
		{"exported env reaches commands", "export K=V; getenv K", "V\n", 0},
		{"assignment prefix", "K=W getenv K", "W\n", 0},
		{"cd", "mkdir_ok() { :; }; cd /tmp && pwd && pwd-of", "/tmp\n/tmp\n", 0},
		{"nested sh -c", `sh -c 'echo "$0 $1"; exit 4' n a`, "n a\n", 4},
		{"bash -lc", `bash -lc 'echo in bash'`, "in bash\n", 0},
		{"Run through Invocation.Run", "run args x y", "x\ny\n", 0},
		{"bash -euo pipefail -c", `bash -euo pipefail -c 'false | true; echo unreached'`, "", 1},
		{"sh -s reads the script from stdin", `echo 'echo "from stdin $1"' | sh -s one`, "from stdin one\n", 0},
		{"sh FILE ARGS", `echo 'echo "$0 $1"' > /tmp/s.sh; sh /tmp/s.sh a`, "/tmp/s.sh a\n", 0},
		{"sh on a missing file", `sh /nope.sh`, "", 127},
		{"exec replaces the rest", `exec args x; echo unreached`, "x\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSandbox(t)
			res := s.run(tc.script)
			assert.Equal(t, tc.stdout, res.stdout, "stderr: %s", res.stderr)
			assert.Equal(t, tc.status, res.status)
			assert.NoError(t, res.err)
		})
	}
}

func TestTrapSignalsAreDropped(t *testing.T) {
	tests := []struct{ name, script, stdout string }{
		{"EXIT with signals", `trap 'echo bye' EXIT INT TERM; echo body`, "body\nbye\n"},
		{"reset with signals", `trap 'echo bye' EXIT; trap - EXIT INT TERM; echo body`, "body\n"},
		{"signals only", `trap 'echo never' INT HUP; echo body`, "body\n"},
		{"0 and SIG names", `trap 'echo bye' 0 SIGTERM; echo body`, "body\nbye\n"},
		{"ERR and EXIT", `trap 'echo err' ERR; trap 'echo bye' EXIT; false; echo body`, "err\nbody\nbye\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := newSandbox(t).run(tc.script)
			assert.Equal(t, tc.stdout, res.stdout, "stderr: %s", res.stderr)
			assert.Empty(t, res.stderr)
		})
	}
}

func TestSymlinksResolveInTheSandbox(t *testing.T) {
	s := newSandbox(t)
	s.write("real/dir/f", "through\n", 0o644)
	// One link relative, one absolute: an absolute target is a sandbox
	// path.
	require.NoError(t, os.Symlink("real/dir", filepath.Join(s.root, "rel")))
	require.NoError(t, os.Symlink("/real", filepath.Join(s.root, "abs")))
	tests := []struct{ name, script, stdout string }{
		{"[ -L ] and [ -h ]", `[ -L /rel ] && [ -h /abs ] && [ ! -L /real ] && echo links`, "links\n"},
		{"read through links", `read -r l < /rel/f; read -r m < /abs/dir/f; echo "$l $m"`, "through through\n"},
		{"cd keeps the logical path", `cd /abs/dir && pwd && pwd -P`, "/abs/dir\n/real/dir\n"},
		{"cd -P resolves", `cd -P /rel && pwd`, "/real/dir\n"},
		{"glob through a link", `echo /abs/dir/*`, "/abs/dir/f\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.run(tc.script)
			assert.Equal(t, tc.stdout, res.stdout, "stderr: %s", res.stderr)
		})
	}
}

func TestUmask(t *testing.T) {
	res := newSandbox(t).run(`set -e; umask; umask -S; umask 077; echo set`)
	assert.Equal(t, "0022\nu=rwx,g=rx,o=rx\nset\n", res.stdout, "stderr: %s", res.stderr)
}

func TestCdErrors(t *testing.T) {
	s := newSandbox(t)
	s.write("file", "x", 0o644)
	res := s.run(`cd /nope || echo "status $?"; cd -- /file || echo "status $?"; pwd`)
	assert.Equal(t, "status 1\nstatus 1\n/\n", res.stdout)
	assert.Equal(t, "sh: cd: /nope: No such file or directory\nsh: cd: /file: Not a directory\n", res.stderr)
}

func TestFunctionsShadowBuiltins(t *testing.T) {
	// A function named like a builtin the shell rewrites runs as written,
	// and its builtin call is still the sandbox's.
	res := newSandbox(t).run(`cd() { echo "my cd $1"; builtin cd "$1"; }; printf() { echo nope; }; cd /tmp; pwd -P; umask`)
	assert.Equal(t, "my cd /tmp\n/tmp\n0022\n", res.stdout, "stderr: %s", res.stderr)
}

func TestPathSearch(t *testing.T) {
	s := newSandbox(t)
	s.write("tmp/args", "#!/bin/sh\necho shadowed\n", 0o755)
	s.write("opt/bin/tool", "#!/bin/sh\necho tool \"$@\"\n", 0o755)
	tests := []struct{ name, script, stdout string }{
		{"the working directory is not searched", `cd /tmp && args found`, "found\n"},
		{"an unexported PATH is searched", `PATH=/opt/bin:$PATH; tool a`, "tool a\n"},
		{"a command's PATH is its environment's", `run tool b; PATH=/opt/bin run tool c`, "tool c\n"},
		{"command -v uses the shell's PATH", `PATH=/opt/bin:$PATH; command -v tool`, "/opt/bin/tool\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := s.run(tc.script)
			assert.Equal(t, tc.stdout, res.stdout, "stderr: %s", res.stderr)
		})
	}
}
