package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDeterministic(t *testing.T) {
	const prog = "import time, random, os; print(time.time(), time.monotonic(), random.random(), os.urandom(8).hex(), hash('x'), id(object()))"
	run := func(seed string) string {
		stdout, stderr, exit := cli(t, "", "run", "--policy", "none", "--deterministic", "--seed", seed, "-c", prog)
		require.Equal(t, 0, exit, stderr)
		return stdout
	}
	seven := run("7")
	assert.Equal(t, seven, run("7"))
	assert.NotEqual(t, seven, run("8"))
}

func TestRunCPUBudget(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		exit   int
		stderr string
	}{
		{"used up", []string{"run", "--cpu-budget", "20", "-c", "while True: pass"}, 124, "wasmbox: stopped: the program used its CPU budget of 20 units\n"},
		{"enough", []string{"run", "--cpu-budget", "1000", "-c", "x = sum(range(1000))"}, 0, ""},
		{"negative", []string{"run", "--cpu-budget", "-1", "-c", "pass"}, 2, "wasmbox run: --cpu-budget must not be negative, got -1\n"},
		{"not a number", []string{"run", "--cpu-budget", "lots", "-c", "pass"}, 2, "--cpu-budget"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, exit := cli(t, "", tc.args...)
			assert.Equal(t, tc.exit, exit, "exit; stderr %q", stderr)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}
