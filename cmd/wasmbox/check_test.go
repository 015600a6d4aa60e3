package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	clean := writeFile(t, "clean.py", "import json\n# import os\nprint(json.dumps('eval(x)'))\n")
	bad := writeFile(t, "bad.py", "import os\nx = eval('1')\n")
	stdout, _, exit := cli(t, "", "check", clean)
	if exit != 0 || stdout != "" {
		t.Fatalf("clean: exit %d stdout %q", exit, stdout)
	}
	stdout, _, exit = cli(t, "", "check", clean, bad)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if exit != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], bad+":1:8: blocked-import: ") || !strings.HasPrefix(lines[1], bad+":2:5: blocked-call: ") {
		t.Fatalf("bad: exit %d stdout %q", exit, stdout)
	}
	stdout, _, exit = cli(t, "", "check", "--policy", "none", bad)
	if exit != 0 || stdout != "" {
		t.Fatalf("--policy none: exit %d stdout %q", exit, stdout)
	}
	stdout, _, exit = cli(t, "", "check", "--allow-import", "os", bad)
	if exit != 1 || strings.Contains(stdout, "os") || !strings.Contains(stdout, "eval") {
		t.Fatalf("--allow-import os: exit %d stdout %q", exit, stdout)
	}
}

func TestCheckJSON(t *testing.T) {
	clean := writeFile(t, "clean.py", "import re\n")
	bad := writeFile(t, "bad.py", "import socket\n")
	stdout, _, exit := cli(t, "", "check", "--json", clean, bad)
	var out struct {
		Files []struct {
			Path       string           `json:"path"`
			OK         bool             `json:"ok"`
			Violations []map[string]any `json:"violations"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || exit != 1 || len(out.Files) != 2 {
		t.Fatalf("exit %d, %v: %s", exit, err, stdout)
	}
	if !out.Files[0].OK || out.Files[0].Violations == nil || len(out.Files[0].Violations) != 0 || out.Files[1].OK || out.Files[1].Violations[0]["name"] != "socket" {
		t.Fatalf("got %+v", out)
	}
	for _, key := range []string{"rule", "name", "message", "line", "col"} {
		if _, ok := out.Files[1].Violations[0][key]; !ok {
			t.Errorf("violation lacks %q", key)
		}
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"check", "/nonexistent.py"}, {"check", "--policy", "loose", "x.py"}, {"check", "--allow-import", "a b", "x.py"}} {
		_, stderr, exit := cli(t, "", args...)
		if exit != 2 || stderr == "" {
			t.Errorf("%q: exit %d stderr %q", args, exit, stderr)
		}
	}
}
