package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShExitCodesAndMessages(t *testing.T) {
	script := writeFile(t, "job.sh", "set -eu\necho \"$0 got $1\"\nexit 5\n")
	tests := []struct {
		name           string
		args           []string
		stdin          string
		exit           int
		stdout, stderr string
	}{
		{"command", []string{"sh", "-c", "echo hi; pwd"}, "", 0, "hi\n/workspace\n", ""},
		{"sh's $0 and $1", []string{"sh", "-c", "echo $0 $1", "name", "one"}, "", 0, "name one\n", ""},
		{"script with args", []string{"sh", script, "arg"}, "", 5, script + " got arg\n", ""},
		{"stdin", []string{"sh", "--stdin", "-", "-c", "python3 -c 'import sys; print(sys.stdin.read()[::-1])'"}, "abc", 0, "cba\n", ""},
		{"not found", []string{"sh", "-c", "nosuchcmd"}, "", 127, "", "sh: nosuchcmd: command not found\n"},
		{"timeout", []string{"sh", "--timeout", "300ms", "-c", "while :; do :; done"}, "", 124, "", "wasmbox: timed out after 300ms\n"},
		{"memory", []string{"sh", "--memory", "32MiB", "-c", "python3 -c 'x = bytearray(64 << 20)'"}, "", 137, "", "MemoryError"},
		{"no command", []string{"sh"}, "", 2, "", "no command line: give -c COMMAND or SCRIPT"},
		{"bad copy-in", []string{"sh", "--copy-in", "/nonexistent/dir", "-c", "true"}, "", 2, "", "--copy-in /nonexistent/dir is not a directory"},
		{"bad timeout", []string{"sh", "--timeout", "-1s", "-c", "true"}, "", 2, "", "--timeout -1s must be positive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, exit := cli(t, tc.stdin, tc.args...)
			assert.Equal(t, tc.exit, exit, "stderr: %s", stderr)
			assert.Equal(t, tc.stdout, stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

func TestShCopyInAndOut(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(in, "src"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(in, "src", "data.txt"), []byte("3 4\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(in, "build.sh"), []byte("#!/bin/sh\nset -eu\nmkdir -p -- dist\npython3 -c 'a, b = map(int, open(\"src/data.txt\").read().split()); print(a * b)' > dist/product.txt\n"), 0o755))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(in, "link")))

	stdout, stderr, exit := cli(t, "", "sh", "--copy-in", in, "--copy-out", out, "-c", "./build.sh && cat dist/product.txt && rm src/data.txt")
	require.Equal(t, 0, exit, "stderr: %s", stderr)
	assert.Equal(t, "12\n", stdout)
	assert.Contains(t, stderr, "skipped "+filepath.Join(in, "link"))

	got, err := os.ReadFile(filepath.Join(out, "dist", "product.txt"))
	require.NoError(t, err)
	assert.Equal(t, "12\n", string(got))
	info, err := os.Stat(filepath.Join(out, "build.sh"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), info.Mode().Perm(), "the execute bit comes back")
	assert.NoFileExists(t, filepath.Join(out, "src", "data.txt"), "removed in the sandbox")
	assert.NoFileExists(t, filepath.Join(out, "link"), "host links are not copied")
}

func TestShJSON(t *testing.T) {
	stdout, _, exit := cli(t, "", "sh", "--json", "-c", "echo out; echo err >&2; exit 3")
	require.Equal(t, 3, exit)
	var res struct {
		ExitCode int    `json:"exitCode"`
		Stdout   string `json:"stdout"`
		Stderr   string `json:"stderr"`
		Command  string `json:"command"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, 3, res.ExitCode)
	assert.Equal(t, "out\n", res.Stdout)
	assert.Equal(t, "err\n", res.Stderr)
	assert.Equal(t, "sh -c 'echo out; echo err >&2; exit 3'", res.Command)
}
