package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShellExec(t *testing.T) {
	tests := []struct {
		name, command, stdout string
		exit                  int
	}{
		{"python in a pipeline", `echo hi | python3 -c "import sys; print(sys.stdin.read().strip().upper())"`, "HI\n", 0},
		{"python's cwd is the shell's", `mkdir -p /w && cd /w && echo data > f && python3 -c "print(open('f').read().strip())"`, "data\n", 0},
		{"script by relative path in a directory", `mkdir -p /w && cd /w && printf 'import sys\nprint(sys.argv[1:])\n' > s.py && python3 s.py a b`, "['a', 'b']\n", 0},
		{"python -m in a directory", `mkdir -p /w && cd /w && echo 'print("mod")' > m.py && python3 -m m`, "mod\n", 0},
		{"env K=V python3", `env K=V python3 -c "import os; print(os.environ['K'])"`, "V\n", 0},
		{"exported variable", `export K=W; python3 -c "import os; print(os.environ['K'])"`, "W\n", 0},
		{"python3.13 and python", `python3.13 -c "print(1)" && python -c "print(2)"`, "1\n2\n", 0},
		{"python exit status", `python3 -c "raise SystemExit(3)"`, "", 3},
		{"script by #!", `printf '#!/usr/bin/env python3\nprint("shebang")\n' > /tmp/p && chmod +x /tmp/p && /tmp/p`, "shebang\n", 0},
		{"not executable", `echo 'echo x' > /tmp/n.sh; /tmp/n.sh`, "", 126},
		{"command not found", `nosuchcmd`, "", 127},
		{"python3.12 is not installed (one interpreter: 3.13)", `python3.12 -c "print(1)"`, "", 127},
		{"pip has no network", `pip install requests`, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.command, ExecOptions{})
			assert.Equal(t, tc.stdout, res.Stdout, "stderr: %s", res.Stderr)
			assert.Equal(t, tc.exit, res.ExitCode, "stderr: %s", res.Stderr)
		})
	}
}

func TestShellExecMessages(t *testing.T) {
	res := run(t, `nosuchcmd; pip3 install x`, ExecOptions{})
	assert.Contains(t, res.Stderr, "sh: nosuchcmd: command not found\n")
	assert.Contains(t, res.Stderr, "pip3: this sandbox has no network")
}

func TestShellExecArgv(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	require.NoError(t, s.Mkdir("/workspace"))
	tests := []struct {
		name   string
		argv   []string
		stdout string
	}{
		{"sh -c", []string{"sh", "-c", "pwd; echo $0"}, "/workspace\nsh\n"},
		{"bash -lc", []string{"bash", "-lc", "echo a | python3 -c 'import sys; print(sys.stdin.read())'"}, "a\n\n"},
		{"plain argv, words literal", []string{"python3", "-c", "import sys; print(sys.argv[1])", "$HOME; x"}, "$HOME; x\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.ExecArgv(context.Background(), tc.argv, ExecOptions{Dir: "/workspace"})
			require.NoError(t, err)
			assert.Equal(t, tc.stdout, res.Stdout, "stderr: %s", res.Stderr)
			assert.Equal(t, 0, res.ExitCode)
		})
	}
}

func TestShellExecBadDir(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	_, err := s.Exec(context.Background(), "pwd", ExecOptions{Dir: "/nope"})
	assert.ErrorContains(t, err, "working directory /nope is not a directory in the sandbox")
}

func TestShellExecOneTimeout(t *testing.T) {
	// Every stage of the pipeline stops at the command line's timeout.
	s := newSandbox(t, SandboxConfig{Timeout: time.Second})
	start := time.Now()
	res := execIn(t, s, `python3 -c "while True: pass" | python3 -c "import sys; sys.stdin.read()" | cat`, ExecOptions{})
	t.Logf("pipeline of two spinning guests stopped after %v", time.Since(start).Round(time.Millisecond))
	assert.True(t, res.TimedOut)
	assert.Equal(t, ExitTimeout, res.ExitCode)
}

func TestShellExecShellLoopTimesOut(t *testing.T) {
	s := newSandbox(t, SandboxConfig{Timeout: 500 * time.Millisecond})
	res := execIn(t, s, `while true; do :; done`, ExecOptions{})
	assert.True(t, res.TimedOut)
	assert.Equal(t, ExitTimeout, res.ExitCode)
}

func TestShellExecMemoryPerPython(t *testing.T) {
	// Each python3 in a pipeline is its own instance under the exec's
	// memory limit: the one that passes it fails, the other runs.
	s := newSandbox(t, SandboxConfig{MemoryLimit: 64 << 20})
	res := execIn(t, s, `python3 -c "x = bytearray(200 << 20)" ; python3 -c "print('second ran')"`, ExecOptions{})
	assert.True(t, res.MemoryExceeded)
	assert.Equal(t, "second ran\n", res.Stdout)
}

func TestShellExecRedirectionFSCap(t *testing.T) {
	// Redirections write through the sandbox filesystem and its byte cap.
	s := newSandbox(t, SandboxConfig{MaxFSBytes: 1 << 20})
	start := time.Now()
	res := execIn(t, s, `python3 -c "
import sys
while True: sys.stdout.write('y' * 65536)
" > /tmp/f; echo "status $?"`, ExecOptions{})
	t.Logf("flood into a 1 MiB filesystem ended after %v", time.Since(start).Round(time.Millisecond))
	assert.Contains(t, res.Stdout, "status 1")
	data, err := s.ReadFile("/tmp/f")
	require.NoError(t, err)
	assert.LessOrEqual(t, len(data), 1<<20)
}

func TestShellExecCanceled(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	res, err := s.Exec(ctx, `sleep 30 | python3 -c "import sys; sys.stdin.read()"`, ExecOptions{})
	assert.ErrorIs(t, err, context.Canceled)
	require.NotNil(t, res)
	assert.Equal(t, ExitCanceled, res.ExitCode)
}

func TestShellExecPolicyKeepsPythonOnly(t *testing.T) {
	// Under a policy (PythonRunner), the command is python3 FILE, no shell.
	r, err := NewPythonRunner(testEngine, RunnerConfig{})
	require.NoError(t, err)
	res, err := r.Run(context.Background(), []byte("print('eval')"), nil, ExecOptions{})
	require.NoError(t, err)
	assert.Equal(t, "eval\n", res.Stdout)
	assert.Equal(t, "python3 "+ScriptPath, strings.TrimSpace(res.Command))
}

func TestShellExecYesHeadFSCap(t *testing.T) {
	skipWithout(t, []string{"yes", "head"})
	s := newSandbox(t, SandboxConfig{MaxFSBytes: 8 << 20})
	start := time.Now()
	res := execIn(t, s, `yes | head -c 1G > /tmp/f; echo "status $?"`, ExecOptions{})
	t.Logf("yes | head -c 1G into an 8 MiB filesystem ended after %v", time.Since(start).Round(time.Millisecond))
	assert.Contains(t, res.Stdout, "status 1")
	data, err := s.ReadFile("/tmp/f")
	require.NoError(t, err)
	assert.LessOrEqual(t, len(data), 8<<20)
}
