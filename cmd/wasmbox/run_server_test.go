package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startServeOnSocket starts `wasmbox serve` on a unix socket and returns
// its --server address, unix:PATH. The path is kept short: a socket's path
// has a limit of about 100 bytes.
func startServeOnSocket(t *testing.T, args ...string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "wbx")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	startServe(t, append([]string{"--addr", unixPrefix + sock}, args...)...)
	return unixPrefix + sock
}

// TestRunServerParity runs each program locally and on a server, over
// loopback TCP and over a unix socket, and expects the same bytes and exit
// status from all three.
func TestRunServerParity(t *testing.T) {
	t.Setenv(apiKeyEnv, "")
	servers := map[string]string{
		"loopback":    startServe(t).base,
		"unix socket": startServeOnSocket(t),
	}
	script := writeFile(t, "prog.py", "import json\nprint(json.dumps({'a': 1}))\n")
	for _, tc := range []struct {
		name string
		args []string
		exit int
	}{
		{"program", []string{"-c", "import json\nprint(json.dumps([1, 'two']))"}, 0},
		{"file", []string{script}, 0},
		{"exception", []string{"-c", "print('before')\nraise ValueError('bad')"}, 1},
		{"timeout", []string{"--timeout", "300ms", "-c", "print('spin', flush=True)\nwhile True: pass"}, 124},
		{"rejected", []string{"-c", "import os"}, 126},
		{"cpu budget", []string{"--cpu-budget", "5", "-c", "while True: pass"}, 124},
		{"deterministic", []string{"--deterministic", "--seed", "7", "--policy", "stdlib", "-c", "import random, time\nprint(random.random(), time.time())"}, 0},
		{"memory", []string{"--memory", "32MiB", "-c", "x = bytearray(64 << 20)"}, 137},
		{"output cap", []string{"--max-output", "5", "-c", "print('0123456789')"}, 0},
		{"stdin", []string{"--policy", "none", "--stdin", "-", "-c", "import sys; print(sys.stdin.read()[::-1])"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := append([]string{"run"}, tc.args...)
			stdout, stderr, exit := cli(t, "from stdin", run...)
			require.Equal(t, tc.exit, exit, "local exit; stderr %q", stderr)
			for name, addr := range servers {
				t.Run(name, func(t *testing.T) {
					gotOut, gotErr, gotExit := cli(t, "from stdin", append([]string{"run", "--server", addr}, tc.args...)...)
					assert.Equal(t, exit, gotExit, "exit; stderr %q", gotErr)
					assert.Equal(t, stdout, gotOut, "stdout")
					assert.Equal(t, stderr, gotErr, "stderr")
				})
			}
		})
	}
}

func TestRunServerJSON(t *testing.T) {
	t.Setenv(apiKeyEnv, "")
	addr := startServeOnSocket(t)
	// The fields of a result that do not depend on when it ran.
	comparable := func(t *testing.T, stdout string) map[string]any {
		t.Helper()
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(stdout), &res), "%q", stdout)
		delete(res, "duration")
		delete(res, "timestamp")
		return res
	}
	for name, code := range map[string]string{
		"exit status": "print('out'); raise SystemExit(4)",
		"violations":  "import subprocess\neval('1')",
	} {
		t.Run(name, func(t *testing.T) {
			stdout, _, exit := cli(t, "", "run", "--json", "-c", code)
			gotOut, gotErr, gotExit := cli(t, "", "run", "--json", "--server", addr, "-c", code)
			assert.Equal(t, exit, gotExit, "exit; stderr %q", gotErr)
			assert.Equal(t, comparable(t, stdout), comparable(t, gotOut))
		})
	}
}

func TestRunServerFailures(t *testing.T) {
	t.Setenv(apiKeyEnv, "")
	dir, err := os.MkdirTemp("", "wbx")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	gone := unixPrefix + filepath.Join(dir, "gone")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	ln.Close()
	keyed := startServeOnSocket(t, "--api-key", "sesame")

	for _, tc := range []struct {
		name, addr string
		args       []string
		exit       int
		stderr     string
	}{
		{"no socket", gone, nil, 125, "cannot reach the server at " + gone},
		{"nothing listening", closed, nil, 125, "cannot reach the server at " + closed},
		{"not an address", "localhost", nil, 2, `--server "localhost": give http://HOST:PORT`},
		{"program arguments", gone, []string{"--", "a"}, 2, "takes no program arguments"},
		{"no key", keyed, nil, 125, "401 Unauthorized"},
		{"settings refused", keyed, []string{"--memory", "1MiB"}, 2, "memoryBytes 1048576 is below"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "settings refused" {
				t.Setenv(apiKeyEnv, "sesame")
			}
			args := append([]string{"run", "--server", tc.addr, "-c", "print(1)"}, tc.args...)
			stdout, stderr, exit := cli(t, "", args...)
			assert.Equal(t, tc.exit, exit, "exit; stderr %q", stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
	t.Run("key from the environment", func(t *testing.T) {
		t.Setenv(apiKeyEnv, "sesame")
		stdout, stderr, exit := cli(t, "", "run", "--server", keyed, "-c", "print(1)")
		assert.Equal(t, 0, exit, "exit; stderr %q", stderr)
		assert.Equal(t, "1\n", stdout)
	})
}

func TestServeUnixSocket(t *testing.T) {
	t.Setenv(apiKeyEnv, "")
	addr := startServeOnSocket(t)
	path := strings.TrimPrefix(addr, unixPrefix)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the socket is for this user alone")

	t.Run("a second server is refused", func(t *testing.T) {
		_, stderr, exit := cli(t, "", "serve", "--addr", addr)
		assert.Equal(t, exitServeFailed, exit)
		assert.Contains(t, stderr, "address already in use")
	})
	t.Run("a stale socket is replaced", func(t *testing.T) {
		dir, err := os.MkdirTemp("", "wbx")
		require.NoError(t, err)
		defer os.RemoveAll(dir)
		stale := filepath.Join(dir, "s")
		ln, err := net.Listen("unix", stale)
		require.NoError(t, err)
		ln.(*net.UnixListener).SetUnlinkOnClose(false)
		ln.Close()
		startServe(t, "--addr", unixPrefix+stale)
		stdout, stderr, exit := cli(t, "", "run", "--server", unixPrefix+stale, "-c", "print(1)")
		assert.Equal(t, 0, exit, "exit; stderr %q", stderr)
		assert.Equal(t, "1\n", stdout)
	})
}
