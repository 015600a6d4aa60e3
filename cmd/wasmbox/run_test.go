package main

import (
	"encoding/json"
	"strings"
	"testing"

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
		stdout, stderr, exit := cli(t, "", tc.args...)
		if exit != tc.exit || stdout != tc.stdout || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%s: exit %d stdout %q stderr %q", tc.name, exit, stdout, stderr)
		}
	}
}

func TestRunFileArgsAndStdin(t *testing.T) {
	script := writeFile(t, "prog.py", "import json\nprint(json.dumps({'argv': __import__('sys').argv}))\n")
	// The static check refuses __import__, so run this one without it.
	stdout, stderr, exit := cli(t, "", "run", "--policy", "none", script, "--", "a", "b c")
	if exit != 0 || stdout != `{"argv": ["/tmp/eval_script.py", "a", "b c"]}`+"\n" {
		t.Fatalf("exit %d stdout %q stderr %q", exit, stdout, stderr)
	}
	stdout, _, exit = cli(t, "piped input", "run", "--policy", "none", "--stdin", "-", "-c", "import sys; print(sys.stdin.read()[::-1])")
	if exit != 0 || stdout != "tupni depip\n" {
		t.Fatalf("stdin -: exit %d stdout %q", exit, stdout)
	}
	in := writeFile(t, "in.txt", "from a file")
	stdout, _, _ = cli(t, "", "run", "--policy", "none", "--stdin", in, "-c", "import sys; print(sys.stdin.read())")
	if stdout != "from a file\n" {
		t.Fatalf("stdin FILE: stdout %q", stdout)
	}
}

func TestRunJSON(t *testing.T) {
	stdout, _, exit := cli(t, "", "run", "--json", "--max-output", "10", "-c", "print('0123456789abcdef'); raise SystemExit(4)")
	if exit != 4 {
		t.Fatalf("exit %d", exit)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	for _, key := range []string{"success", "exitCode", "stdout", "stderr", "command", "duration", "timestamp", "timedOut", "memoryExceeded", "stdoutTruncated", "stderrTruncated", "violations"} {
		if _, ok := res[key]; !ok {
			t.Errorf("ExecResult lacks %q", key)
		}
	}
	if res["exitCode"] != 4.0 || res["success"] != false || res["stdout"] != "0123456789" || res["stdoutTruncated"] != true || res["command"] != "python3 /tmp/eval_script.py" {
		t.Fatalf("got %v", res)
	}
	if v, ok := res["violations"].([]any); !ok || len(v) != 0 {
		t.Fatalf("violations = %v, want []", res["violations"])
	}
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
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || exit != 126 || res.ExitCode != 126 || len(res.Violations) != 2 {
		t.Fatalf("exit %d, %v: %s", exit, err, stdout)
	}
	if res.Violations[0].Rule != "blocked-import" || res.Violations[0].Name != "subprocess" || res.Violations[1].Rule != "blocked-call" || res.Violations[1].Line != 2 {
		t.Fatalf("got %+v", res.Violations)
	}
}

func TestVersion(t *testing.T) {
	stdout, _, exit := cli(t, "", "version")
	for _, want := range []string{"wasmbox 0.1.0", "python  3.13.5", "wazero  v1.12.0",
		"asset   cpython313/python.wasm sha256:" + assets.CPython313WasmSHA256,
		"asset   cpython313/python313.zip sha256:" + assets.CPython313StdlibSHA256} {
		if exit != 0 || !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q: %s", want, stdout)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	_, stderr, exit := cli(t, "", "frobnicate")
	if exit != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Fatalf("exit %d stderr %q", exit, stderr)
	}
}

func TestHelpGoesToStdoutOnce(t *testing.T) {
	for _, cmd := range []string{"run", "check", "test", "version", "serve", "bench"} {
		stdout, stderr, exit := cli(t, "", cmd, "--help")
		if exit != 0 || stderr != "" || strings.Count(stdout, "Usage: wasmbox "+cmd) != 1 || !strings.Contains(stdout, "Flags:") {
			t.Errorf("%s --help: exit %d stdout %q stderr %q", cmd, exit, stdout, stderr)
		}
	}
}
