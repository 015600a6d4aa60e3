package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/assets"
)

// benchVariants are the variants expected in a report on this machine for
// a script workload, or for eval100 (which `run --server` cannot run).
func benchVariants(eval bool) []string {
	vs := []string{"wasmbox", "wasmbox-warm", "wasmbox-cli"}
	if !eval {
		vs = append(vs, "wasmbox-cli-server")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return vs
	}
	return append([]string{"native"}, vs...)
}

func TestBenchTable(t *testing.T) {
	stdout, stderr, exit := cli(t, "", "bench", "--runs", "1", "--concurrency", "1", "--workloads", "hello")
	require.Equal(t, 0, exit, "stderr %q stdout:\n%s", stderr, stdout)
	require.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(stdout, "wasmbox bench: 1 runs per workload and variant after 1 warm-up; "), "no header:\n%s", stdout)
	assert.Contains(t, stdout, "\nWORKLOAD  VARIANT ", "column heads")
	assert.Contains(t, stdout, "RUNS/S@1  RUNS/S@1  MEDIAN×NATIVE  RUNS/S@1×NATIVE\n", "column heads")
	row := regexp.MustCompile(`(?m)^hello\s+(\S+)\s+\d+\.\dms\s+\d+\.\dms\s+\d+\.\d\s+\d+\.\d\s+(\d+\.\d\d|-)\s+(\d+\.\d\d|-)$`)
	var got []string
	for _, m := range row.FindAllStringSubmatch(stdout, -1) {
		got = append(got, m[1])
	}
	assert.Equal(t, benchVariants(false), got, "rows:\n%s", stdout)
	ctxRow := regexp.MustCompile(`(?m)^(create|run|fork|save|resume)\s+\d+\.\dms\s+\d+\.\dms\s+(\d+\.\dMiB|-)$`)
	got = nil
	for _, m := range ctxRow.FindAllStringSubmatch(stdout, -1) {
		got = append(got, m[1])
	}
	assert.Equal(t, []string{"create", "run", "fork", "save", "resume"}, got, "context rows:\n%s", stdout)
}

func TestBenchJSON(t *testing.T) {
	stdout, stderr, exit := cli(t, "", "bench", "--json", "--runs", "1", "--concurrency", "1", "--workloads", "eval100", "--contexts=false")
	require.Equal(t, 0, exit, "stderr %q", stderr)
	var rep struct {
		SchemaVersion  int  `json:"schemaVersion"`
		Runs           *int `json:"runs"`
		Concurrency    int  `json:"concurrency"`
		ConcurrentRuns int  `json:"concurrentRuns"`
		Native         *struct {
			Path, Version string
		} `json:"native"`
		GuestPython string   `json:"guestPython"`
		Notes       []string `json:"notes"`
		Results     []struct {
			Workload             string       `json:"workload"`
			Variant              string       `json:"variant"`
			MedianMs             float64      `json:"medianMs"`
			P95Ms                float64      `json:"p95Ms"`
			RunsPerSec           float64      `json:"runsPerSec"`
			ConcurrentRunsPerSec float64      `json:"concurrentRunsPerSec"`
			VsNative             *benchRatios `json:"vsNative"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
	assert.Equal(t, 1, rep.SchemaVersion, "schemaVersion")
	if assert.NotNil(t, rep.Runs, "runs") {
		assert.Equal(t, 1, *rep.Runs, "runs")
	}
	assert.Equal(t, 1, rep.Concurrency, "concurrency")
	assert.Equal(t, 1, rep.ConcurrentRuns, "concurrentRuns")
	assert.Equal(t, assets.CPython313Version, rep.GuestPython, "guestPython")
	assert.NotNil(t, rep.Notes, "notes")
	var variants []string
	for _, r := range rep.Results {
		variants = append(variants, r.Variant)
		t.Run(r.Variant, func(t *testing.T) {
			assert.Equal(t, "eval100", r.Workload)
			assert.Positive(t, r.MedianMs, "medianMs")
			assert.GreaterOrEqual(t, r.P95Ms, r.MedianMs, "p95Ms")
			assert.Positive(t, r.RunsPerSec, "runsPerSec")
			assert.Positive(t, r.ConcurrentRunsPerSec, "concurrentRunsPerSec")
			if rep.Native == nil {
				assert.Nil(t, r.VsNative, "vsNative without native")
			} else if assert.NotNil(t, r.VsNative, "vsNative with native %+v", rep.Native) {
				assert.Positive(t, r.VsNative.Median, "vsNative.median")
			}
		})
	}
	assert.Equal(t, benchVariants(true), variants)
}

// benchRatios is the vsNative object of `bench --json`.
type benchRatios struct {
	Median               float64 `json:"median"`
	P95                  float64 `json:"p95"`
	RunsPerSec           float64 `json:"runsPerSec"`
	ConcurrentRunsPerSec float64 `json:"concurrentRunsPerSec"`
}

func TestBenchUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no runs", []string{"--runs", "0"}, "--runs 0: must be at least 1"},
		{"no concurrency", []string{"--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{"unknown workload", []string{"--workloads", "hello,nope"}, `unknown workload "nope" (have hello, imports, eval100, compute, numpy-import, numpy-matmul, numpy-sort, numpy-fft)`},
		{"empty workload", []string{"--workloads", "hello,"}, "empty workload name"},
		{"workload twice", []string{"--workloads", "hello,hello"}, `workload "hello" is listed twice`},
		{"runs not a number", []string{"--runs", "many"}, `invalid argument "many"`},
		{"extra argument", []string{"extra"}, `unexpected argument "extra"`},
		{"bad server", []string{"--server", "localhost:8080"}, `--server "localhost:8080": give http://HOST:PORT`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, exit := cli(t, "", append([]string{"bench"}, tc.args...)...)
			assert.Equal(t, 2, exit, "exit")
			assert.Empty(t, stdout, "stdout")
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

// The numpy workloads run when numpy imports in the build, and otherwise
// say so, and why, in each wasmbox row.
func TestBenchNumpyRows(t *testing.T) {
	_, stderr, probe := cli(t, "", "run", "--policy", "none", "-c", "import sys\ntry:\n    import numpy\nexcept ImportError:\n    sys.exit(3)\n")
	require.Contains(t, []int{0, 3}, probe, "numpy probe: stderr %q", stderr)
	stdout, stderr, exit := cli(t, "", "bench", "--json", "--runs", "1", "--concurrency", "1", "--workloads", "numpy-import", "--contexts=false", "--python", "no-such-python-wasmbox")
	require.Equal(t, 0, exit, "stderr %q", stderr)
	var rep struct {
		Results []struct {
			Variant  string  `json:"variant"`
			MedianMs float64 `json:"medianMs"`
			Skipped  string  `json:"skipped"`
		} `json:"results"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
	var variants []string
	for _, r := range rep.Results {
		variants = append(variants, r.Variant)
		if probe == 0 {
			assert.Empty(t, r.Skipped, r.Variant)
			assert.Positive(t, r.MedianMs, r.Variant)
		} else {
			assert.True(t, strings.HasPrefix(r.Skipped, "skipped: no numpy in this build: "), "%s: %q", r.Variant, r.Skipped)
		}
	}
	assert.Equal(t, []string{"wasmbox", "wasmbox-warm", "wasmbox-cli", "wasmbox-cli-server"}, variants, "no native python3 by that name")
}
