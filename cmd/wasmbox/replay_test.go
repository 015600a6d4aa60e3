package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomEval fails every case with a value drawn from the seeded stream; the
// nonce makes the suite new to the result cache.
func randomEval(t *testing.T) string {
	return writeFile(t, "eval.py", "# "+strconv.FormatInt(time.Now().UnixNano(), 10)+"\nimport random\ndef evaluate(x):\n    return [x, random.random()]\n")
}

func TestReplayRoundTrip(t *testing.T) {
	eval := randomEval(t)
	cases := writeFile(t, "cases.jsonl", `{"name": "first", "input": 1, "expected": 0}`+"\n"+`{"name": "second", "input": 2, "expected": [2, 0.5]}`+"\n")
	dir := filepath.Join(t.TempDir(), "replays")
	_, stderr, exit := cli(t, "", "test", "--eval", eval, "--cases", cases, "--policy", "none", "--deterministic", "--seed", "5", "--cpu-budget", "5000", "--replay-dir", dir, "--no-cache")
	require.Equal(t, exitTestFailed, exit, stderr)
	assert.Contains(t, stderr, "wrote 2 replay bundles to "+dir)

	stdout, stderr, exit := cli(t, "", "replay", filepath.Join(dir, "case-2.json"))
	assert.Equal(t, 0, exit, stderr)
	assert.Regexp(t, `^second: fail actual=\[2, ?0\.\d+\], as recorded\n$`, stdout)

	t.Run("a sum differs", func(t *testing.T) {
		var b map[string]any
		data, err := os.ReadFile(filepath.Join(dir, "case-1.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(data, &b))
		b["sums"].(map[string]any)["interpreter"] = "0000"
		b["result"].(map[string]any)["actual"] = []int{1, 0}
		data, err = json.Marshal(b)
		require.NoError(t, err)
		tampered := writeFile(t, "tampered.json", string(data))
		stdout, _, exit := cli(t, "", "replay", tampered)
		assert.Equal(t, exitTestFailed, exit)
		assert.Contains(t, stdout, "first: the result differs\n  recorded: fail actual=[1,0]\n")
		assert.Contains(t, stdout, "  interpreter sum differs: bundle 0000, this binary ")
	})
	t.Run("bad bundles", func(t *testing.T) {
		for name, content := range map[string]string{
			"not json":   "nope",
			"wrong form": `{"format": "other"}`,
			"bad memory": `{"format": "wasmbox-replay-1", "memory": "lots", "timeoutMs": 1000, "policy": "none", "case": {}}`,
		} {
			_, stderr, exit := cli(t, "", "replay", writeFile(t, "bad.json", content))
			assert.Equal(t, exitUsage, exit, name)
			assert.Contains(t, stderr, "wasmbox replay: ", name)
		}
	})
	t.Run("needs --deterministic", func(t *testing.T) {
		_, stderr, exit := cli(t, "", "test", "--eval", eval, "--cases", cases, "--replay-dir", dir)
		assert.Equal(t, exitUsage, exit)
		assert.Contains(t, stderr, "--replay-dir needs --deterministic")
	})
}

func TestResultCacheRoundTrip(t *testing.T) {
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10)
	eval := writeFile(t, "eval.py", "import random\ndef evaluate(x):\n    return [x, random.random(), 'n"+nonce+"']\n")
	cases := writeFile(t, "cases.jsonl", `{"input": 1, "expected": 0}`+"\n"+`{"input": 2, "expected": 0}`+"\n")
	actuals := func(extra ...string) string {
		stdout, stderr, exit := cli(t, "", append([]string{"test", "--eval", eval, "--cases", cases, "--policy", "none", "--deterministic", "--json"}, extra...)...)
		require.Equal(t, exitTestFailed, exit, stderr)
		var rep struct {
			Cases []struct {
				Actual json.RawMessage `json:"actual"`
			} `json:"cases"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep))
		require.Len(t, rep.Cases, 2)
		return string(rep.Cases[0].Actual) + " " + string(rep.Cases[1].Actual)
	}
	first := actuals()
	require.Contains(t, first, "n"+nonce)

	// Mark the two entries the run cached: a result carrying the mark came
	// from the cache.
	root, err := resultsRoot()
	require.NoError(t, err)
	entries, err := filepath.Glob(filepath.Join(root, generation(), "*", "*.json"))
	require.NoError(t, err)
	marked := 0
	for _, p := range entries {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		if strings.Contains(string(data), "n"+nonce) {
			require.NoError(t, os.WriteFile(p, []byte(strings.ReplaceAll(string(data), "n"+nonce, "cached"+nonce)), 0o644))
			marked++
		}
	}
	require.Equal(t, 2, marked)

	assert.Equal(t, strings.ReplaceAll(first, "n"+nonce, "cached"+nonce), actuals(), "answered from the cache")
	assert.Equal(t, first, actuals("--no-cache"))
	assert.NotContains(t, actuals("--seed", "1"), "cached", "the seed is part of the key")

	stdout, stderr, exit := cli(t, "", "cache", "prune", "--all")
	require.Equal(t, 0, exit, stderr)
	assert.Regexp(t, `^removed [1-9]\d* cached results`, stdout)
	assert.Equal(t, first, actuals(), "pruned")
}

func TestCachePruneUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"no subcommand":  {"cache"},
		"unknown":        {"cache", "clear"},
		"negative age":   {"cache", "prune", "--older-than", "-1h"},
		"extra argument": {"cache", "prune", "x"},
	} {
		_, stderr, exit := cli(t, "", args...)
		assert.Equal(t, exitUsage, exit, name)
		assert.Contains(t, stderr, "wasmbox cache", name)
	}
}
