package bench

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleReport(native bool) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion, GOOS: "linux", GOARCH: "amd64", CPUs: 2, Runs: 20,
		Concurrency: 2, ConcurrentRuns: 20, WarmupRuns: 1, GuestPython: "3.13.5",
		Workloads: []NamedSummary{{"hello", "print one line"}},
	}
	if native {
		r.Native = &Python{Path: "/usr/bin/python3.12", Version: "3.12.4"}
		r.Variants = append(r.Variants, NamedSummary{NativeName, "python3"})
		r.Results = append(r.Results, Result{Workload: "hello", Variant: NativeName, MedianMs: 20, P95Ms: 25, RunsPerSec: 50, ConcurrentRunsPerSec: 90})
	} else {
		r.Notes = []string{"native: skipped"}
	}
	r.Variants = append(r.Variants, NamedSummary{"wasmbox", "fresh"})
	r.Results = append(r.Results, Result{Workload: "hello", Variant: "wasmbox", MedianMs: 80, P95Ms: 100, RunsPerSec: 12.5, ConcurrentRunsPerSec: 30})
	r.setRatios()
	return r
}

func TestRatios(t *testing.T) {
	r := sampleReport(true)
	require.NotNil(t, r.Results[0].VsNative)
	require.NotNil(t, r.Results[1].VsNative)
	assert.Equal(t, Ratios{1, 1, 1, 1}, *r.Results[0].VsNative, "native vs itself")
	assert.Equal(t, Ratios{Median: 4, P95: 4, RunsPerSec: 0.25, ConcurrentRunsPerSec: 0.333}, *r.Results[1].VsNative, "wasmbox vs native")
	assert.Nil(t, sampleReport(false).Results[0].VsNative, "a ratio without native")
}

// The JSON shape is documented on Report; these are its keys.
func TestReportJSONShape(t *testing.T) {
	data, err := json.Marshal(sampleReport(true))
	require.NoError(t, err)
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &top))
	want := []string{"schemaVersion", "goos", "goarch", "cpus", "runs", "concurrency", "concurrentRuns", "warmupRuns",
		"native", "guestPython", "workloads", "variants", "results", "contexts", "notes"}
	assert.Equal(t, sorted(want), keys(t, data), "top-level keys")
	assert.Equal(t, "[]", string(top["notes"]), "notes")
	assert.Equal(t, "[]", string(top["contexts"]), "contexts")
	var results []json.RawMessage
	require.NoError(t, json.Unmarshal(top["results"], &results))
	require.Len(t, results, 2)
	assert.Equal(t, sorted([]string{"workload", "variant", "medianMs", "p95Ms", "runsPerSec", "concurrentRunsPerSec", "vsNative"}), keys(t, results[1]), "result keys")
	var r struct {
		VsNative json.RawMessage `json:"vsNative"`
	}
	require.NoError(t, json.Unmarshal(results[1], &r))
	assert.Equal(t, sorted([]string{"median", "p95", "runsPerSec", "concurrentRunsPerSec"}), keys(t, r.VsNative), "vsNative keys")

	data, err = json.Marshal(sampleReport(false))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"native":null`, "without native")
	assert.Contains(t, string(data), `"vsNative":null`, "without native")
}

func keys(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestWriteTable(t *testing.T) {
	t.Run("with native", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, WriteTable(&b, sampleReport(true)))
		got := b.String()
		for _, want := range []string{
			"20 runs per workload and variant after 1 warm-up; 2 CPUs (linux/amd64); concurrency 2\n",
			"native:  Python 3.12.4 at /usr/bin/python3.12\n",
			"WORKLOAD  VARIANT  MEDIAN      P95  RUNS/S@1  RUNS/S@2  MEDIAN×NATIVE  RUNS/S@2×NATIVE\n",
			"hello     native   20.0ms   25.0ms      50.0      90.0           1.00             1.00\n",
			"hello     wasmbox  80.0ms  100.0ms      12.5      30.0           4.00             0.33\n",
		} {
			assert.Contains(t, got, want)
		}
	})
	t.Run("contexts", func(t *testing.T) {
		r := sampleReport(true)
		r.Contexts = []ContextResult{{Op: "fork", MedianMs: 120, P95Ms: 150}, {Op: "save", MedianMs: 80.25, P95Ms: 95, SavedBytes: 10 << 20}}
		var b strings.Builder
		require.NoError(t, WriteTable(&b, r))
		got := b.String()
		assert.Contains(t, got, "OP     MEDIAN      P95    SAVED\nfork  120.0ms  150.0ms        -\nsave   80.2ms   95.0ms  10.0MiB\n")
	})
	t.Run("skipped", func(t *testing.T) {
		r := sampleReport(true)
		r.Workloads = append(r.Workloads, NamedSummary{"numpy-import", "import numpy"})
		r.Results = append(r.Results,
			Result{Workload: "numpy-import", Variant: NativeName, MedianMs: 50, P95Ms: 60, RunsPerSec: 20, ConcurrentRunsPerSec: 30},
			Result{Workload: "numpy-import", Variant: "wasmbox", Skipped: "skipped: no numpy in this build"})
		r.setRatios()
		assert.Nil(t, r.Results[3].VsNative, "a skipped result has no ratio")
		var b strings.Builder
		require.NoError(t, WriteTable(&b, r))
		got := b.String()
		assert.Contains(t, got, "hello         wasmbox  80.0ms  100.0ms      12.5      30.0           4.00             0.33\n", "the reason does not widen the columns")
		assert.Contains(t, got, "numpy-import  wasmbox  skipped: no numpy in this build\n")
		data, err := json.Marshal(r)
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(string(data), `"skipped":`), "only the skipped result has the key: %s", data)
	})
	t.Run("without native", func(t *testing.T) {
		var b strings.Builder
		require.NoError(t, WriteTable(&b, sampleReport(false)))
		got := b.String()
		assert.Contains(t, got, "hello     wasmbox  80.0ms  100.0ms      12.5      30.0              -                -\n")
		assert.NotContains(t, got, "native:  Python")
		assert.Contains(t, got, "note: native: skipped\n")
	})
}
