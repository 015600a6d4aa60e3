package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/assets"
)

func TestRunExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		exit   int
		stdout string
		stderr string
	}{
		{"ok", []string{"run", "-c", "import json; print(1)"}, 0, "1\n", ""},
		{"exception", []string{"run", "-c", "raise ValueError('bad')"}, 1, "", "ValueError: bad"},
		{"sys.exit", []string{"run", "--policy", "none", "-c", "import sys; sys.exit(3)"}, 3, "", ""},
		{"timeout", []string{"run", "--timeout", "300ms", "-c", "while True: pass"}, 124, "", "timed out after 300ms"},
		{"memory", []string{"run", "--memory", "32MiB", "-c", "x = bytearray(64 << 20)"}, 137, "", "MemoryError"},
		{"rejected", []string{"run", "-c", "import os"}, 126, "", `-c:1:8: blocked-import:`},
		{"bad flag", []string{"run", "--bogus", "-c", "pass"}, 2, "", "unknown flag: --bogus"},
		{"bad memory", []string{"run", "--memory", "lots", "-c", "pass"}, 2, "", `invalid size "lots"`},
		{"bad policy", []string{"run", "--policy", "lax", "-c", "pass"}, 2, "", "lax"},
		{"no program", []string{"run"}, 2, "", "no program"},
		{"missing file", []string{"run", "/nonexistent/x.py"}, 2, "", "/nonexistent/x.py"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, exit := cli(t, "", tc.args...)
			assert.Equal(t, tc.exit, exit, "exit; stderr %q", stderr)
			assert.Equal(t, tc.stdout, stdout, "stdout")
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

func TestRunFileArgsAndStdin(t *testing.T) {
	t.Run("file and args", func(t *testing.T) {
		script := writeFile(t, "prog.py", "import json\nprint(json.dumps({'argv': __import__('sys').argv}))\n")
		// The static check refuses __import__, so run this one without it.
		stdout, stderr, exit := cli(t, "", "run", "--policy", "none", script, "--", "a", "b c")
		assert.Equal(t, 0, exit, "exit; stderr %q", stderr)
		assert.Equal(t, `{"argv": ["/tmp/eval_script.py", "a", "b c"]}`+"\n", stdout)
	})
	t.Run("stdin -", func(t *testing.T) {
		stdout, _, exit := cli(t, "piped input", "run", "--policy", "none", "--stdin", "-", "-c", "import sys; print(sys.stdin.read()[::-1])")
		assert.Equal(t, 0, exit, "exit")
		assert.Equal(t, "tupni depip\n", stdout)
	})
	t.Run("stdin FILE", func(t *testing.T) {
		in := writeFile(t, "in.txt", "from a file")
		stdout, _, _ := cli(t, "", "run", "--policy", "none", "--stdin", in, "-c", "import sys; print(sys.stdin.read())")
		assert.Equal(t, "from a file\n", stdout)
	})
}

func TestRunJSON(t *testing.T) {
	stdout, _, exit := cli(t, "", "run", "--json", "--max-output", "10", "-c", "print('0123456789abcdef'); raise SystemExit(4)")
	require.Equal(t, 4, exit, "exit")
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), "%q", stdout)
	for _, key := range []string{"success", "exitCode", "stdout", "stderr", "command", "duration", "timestamp", "timedOut", "memoryExceeded", "stdoutTruncated", "stderrTruncated", "violations"} {
		assert.Contains(t, res, key, "ExecResult keys")
	}
	assert.Equal(t, 4.0, res["exitCode"])
	assert.Equal(t, false, res["success"])
	assert.Equal(t, "0123456789", res["stdout"])
	assert.Equal(t, true, res["stdoutTruncated"])
	assert.Equal(t, "python3 /tmp/eval_script.py", res["command"])
	assert.Equal(t, []any{}, res["violations"], "violations, want []")
}

func TestRunJSONViolations(t *testing.T) {
	stdout, _, exit := cli(t, "", "run", "--json", "-c", "import subprocess\neval('1')")
	var res struct {
		ExitCode   int `json:"exitCode"`
		Violations []struct {
			Rule string `json:"rule"`
			Name string `json:"name"`
			Line int    `json:"line"`
		} `json:"violations"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &res), stdout)
	assert.Equal(t, 126, exit, "exit")
	assert.Equal(t, 126, res.ExitCode, "exitCode")
	require.Len(t, res.Violations, 2, stdout)
	assert.Equal(t, "blocked-import", res.Violations[0].Rule)
	assert.Equal(t, "subprocess", res.Violations[0].Name)
	assert.Equal(t, "blocked-call", res.Violations[1].Rule)
	assert.Equal(t, 2, res.Violations[1].Line)
}

func TestVersion(t *testing.T) {
	stdout, _, exit := cli(t, "", "version")
	require.Equal(t, 0, exit, "exit")
	for _, want := range []string{"wasmbox 0.1.0", "python  3.13.5", "wazero  v1.12.0",
		"asset   cpython313/python.wasm sha256:" + assets.CPython313WasmSHA256,
		"asset   cpython313/python313.zip sha256:" + assets.CPython313StdlibSHA256,
		"numpy   " + assets.NumpyVersion,
		"asset   cpython313/python-numpy.wasm sha256:" + assets.NumpyWasmSHA256,
		"asset   cpython313/numpy.zip sha256:" + assets.NumpyZipSHA256} {
		assert.Contains(t, stdout, want)
	}
	// One interpreter is embedded, so one is listed.
	var pythons []string
	for line := range strings.Lines(stdout) {
		if strings.HasPrefix(line, "python ") {
			pythons = append(pythons, line)
		}
	}
	assert.Len(t, pythons, 1, "python lines in:\n%s", stdout)
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, exit := cli(t, "", "frobnicate")
	assert.Equal(t, 2, exit, "exit")
	assert.Contains(t, stderr, `unknown command "frobnicate"`)
}

func TestHelpGoesToStdoutOnce(t *testing.T) {
	for _, cmd := range []string{"run", "check", "test", "version", "serve", "bench"} {
		t.Run(cmd, func(t *testing.T) {
			stdout, stderr, exit := cli(t, "", cmd, "--help")
			assert.Equal(t, 0, exit, "exit")
			assert.Empty(t, stderr, "stderr")
			assert.Equal(t, 1, strings.Count(stdout, "Usage: wasmbox "+cmd), "usage lines in:\n%s", stdout)
			assert.Contains(t, stdout, "Flags:")
		})
	}
}
