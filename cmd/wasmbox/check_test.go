package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	clean := writeFile(t, "clean.py", "import json\n# import os\nprint(json.dumps('eval(x)'))\n")
	bad := writeFile(t, "bad.py", "import os\nx = eval('1')\n")
	t.Run("clean", func(t *testing.T) {
		stdout, _, exit := cli(t, "", "check", clean)
		assert.Equal(t, 0, exit, "exit")
		assert.Empty(t, stdout, "stdout")
	})
	t.Run("bad", func(t *testing.T) {
		stdout, _, exit := cli(t, "", "check", clean, bad)
		assert.Equal(t, 1, exit, "exit")
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		require.Len(t, lines, 2, "stdout %q", stdout)
		assert.True(t, strings.HasPrefix(lines[0], bad+":1:8: blocked-import: "), "line 1: %q", lines[0])
		assert.True(t, strings.HasPrefix(lines[1], bad+":2:5: blocked-call: "), "line 2: %q", lines[1])
	})
	t.Run("--policy none", func(t *testing.T) {
		stdout, _, exit := cli(t, "", "check", "--policy", "none", bad)
		assert.Equal(t, 0, exit, "exit")
		assert.Empty(t, stdout, "stdout")
	})
	t.Run("--allow-import os", func(t *testing.T) {
		stdout, _, exit := cli(t, "", "check", "--allow-import", "os", bad)
		assert.Equal(t, 1, exit, "exit")
		assert.NotContains(t, stdout, "os")
		assert.Contains(t, stdout, "eval")
	})
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
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	assert.Equal(t, 1, exit, "exit")
	require.Len(t, out.Files, 2, stdout)
	assert.True(t, out.Files[0].OK, "clean file ok")
	assert.NotNil(t, out.Files[0].Violations, "clean file's violations are [], not null")
	assert.Empty(t, out.Files[0].Violations, "clean file's violations")
	assert.False(t, out.Files[1].OK, "bad file ok")
	require.NotEmpty(t, out.Files[1].Violations, "bad file's violations")
	v := out.Files[1].Violations[0]
	assert.Equal(t, "socket", v["name"])
	for _, key := range []string{"rule", "name", "message", "line", "col"} {
		assert.Contains(t, v, key, "violation keys")
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"check"}, {"check", "/nonexistent.py"}, {"check", "--policy", "loose", "x.py"}, {"check", "--allow-import", "a b", "x.py"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, stderr, exit := cli(t, "", args...)
			assert.Equal(t, 2, exit, "exit")
			assert.NotEmpty(t, stderr, "stderr")
		})
	}
}
