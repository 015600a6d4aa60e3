package bench

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func sampleReport(native bool) *Report {
	r := &Report{
		SchemaVersion: SchemaVersion, GOOS: "linux", GOARCH: "amd64", CPUs: 2, Runs: 20,
		Concurrency: 2, ConcurrentRuns: 20, WarmupRuns: 1, GuestPython: "3.12.0",
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
	if got, want := *r.Results[0].VsNative, (Ratios{1, 1, 1, 1}); got != want {
		t.Errorf("native vs itself: %+v", got)
	}
	if got, want := *r.Results[1].VsNative, (Ratios{Median: 4, P95: 4, RunsPerSec: 0.25, ConcurrentRunsPerSec: 0.333}); got != want {
		t.Errorf("wasmbox vs native: %+v, want %+v", got, want)
	}
	if r := sampleReport(false); r.Results[0].VsNative != nil {
		t.Errorf("a ratio without native: %+v", r.Results[0].VsNative)
	}
}

// The JSON shape is documented on Report; these are its keys.
func TestReportJSONShape(t *testing.T) {
	data, err := json.Marshal(sampleReport(true))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	want := []string{"schemaVersion", "goos", "goarch", "cpus", "runs", "concurrency", "concurrentRuns", "warmupRuns",
		"native", "guestPython", "workloads", "variants", "results", "notes"}
	if got := keys(t, data); !slices.Equal(got, sorted(want)) {
		t.Errorf("top-level keys %v, want %v", got, sorted(want))
	}
	if string(top["notes"]) != "[]" {
		t.Errorf("notes = %s, want []", top["notes"])
	}
	var results []json.RawMessage
	json.Unmarshal(top["results"], &results)
	if got, want := keys(t, results[1]), sorted([]string{"workload", "variant", "medianMs", "p95Ms", "runsPerSec", "concurrentRunsPerSec", "vsNative"}); !slices.Equal(got, want) {
		t.Errorf("result keys %v, want %v", got, want)
	}
	var r struct {
		VsNative json.RawMessage `json:"vsNative"`
	}
	json.Unmarshal(results[1], &r)
	if got, want := keys(t, r.VsNative), sorted([]string{"median", "p95", "runsPerSec", "concurrentRunsPerSec"}); !slices.Equal(got, want) {
		t.Errorf("vsNative keys %v, want %v", got, want)
	}

	data, _ = json.Marshal(sampleReport(false))
	if !bytes.Contains(data, []byte(`"native":null`)) || !bytes.Contains(data, []byte(`"vsNative":null`)) {
		t.Errorf("without native: %s", data)
	}
}

func keys(t *testing.T, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
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
	var b strings.Builder
	if err := WriteTable(&b, sampleReport(true)); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"20 runs per workload and variant after 1 warm-up; 2 CPUs (linux/amd64); concurrency 2\n",
		"native:  Python 3.12.4 at /usr/bin/python3.12\n",
		"WORKLOAD  VARIANT  MEDIAN      P95  RUNS/S@1  RUNS/S@2  MEDIAN×NATIVE  RUNS/S@2×NATIVE\n",
		"hello     native   20.0ms   25.0ms      50.0      90.0           1.00             1.00\n",
		"hello     wasmbox  80.0ms  100.0ms      12.5      30.0           4.00             0.33\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	b.Reset()
	WriteTable(&b, sampleReport(false))
	got = b.String()
	if !strings.Contains(got, "hello     wasmbox  80.0ms  100.0ms      12.5      30.0              -                -\n") ||
		strings.Contains(got, "native:  Python") || !strings.Contains(got, "note: native: skipped\n") {
		t.Errorf("table without native:\n%s", got)
	}
}
