package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// benchVariants are the variants expected in a report on this machine.
func benchVariants() []string {
	if _, err := exec.LookPath("python3"); err != nil {
		return []string{"wasmbox", "wasmbox-warm", "wasmbox-cli"}
	}
	return []string{"native", "wasmbox", "wasmbox-warm", "wasmbox-cli"}
}

func TestBenchTable(t *testing.T) {
	stdout, stderr, exit := cli(t, "", "bench", "--runs", "1", "--concurrency", "1", "--workloads", "hello")
	if exit != 0 || stderr != "" {
		t.Fatalf("exit %d stderr %q stdout:\n%s", exit, stderr, stdout)
	}
	if !strings.HasPrefix(stdout, "wasmbox bench: 1 runs per workload and variant after 1 warm-up; ") {
		t.Errorf("no header:\n%s", stdout)
	}
	if !strings.Contains(stdout, "\nWORKLOAD  VARIANT ") || !strings.Contains(stdout, "RUNS/S@1  RUNS/S@1  MEDIAN×NATIVE  RUNS/S@1×NATIVE\n") {
		t.Errorf("no column heads:\n%s", stdout)
	}
	row := regexp.MustCompile(`(?m)^hello\s+(\S+)\s+\d+\.\dms\s+\d+\.\dms\s+\d+\.\d\s+\d+\.\d\s+(\d+\.\d\d|-)\s+(\d+\.\d\d|-)$`)
	var got []string
	for _, m := range row.FindAllStringSubmatch(stdout, -1) {
		got = append(got, m[1])
	}
	if want := benchVariants(); !slices.Equal(got, want) {
		t.Errorf("rows for %v, want %v:\n%s", got, want, stdout)
	}
}

func TestBenchJSON(t *testing.T) {
	stdout, stderr, exit := cli(t, "", "bench", "--json", "--runs", "1", "--concurrency", "1", "--workloads", "eval100")
	if exit != 0 {
		t.Fatalf("exit %d stderr %q", exit, stderr)
	}
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
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if rep.SchemaVersion != 1 || rep.Runs == nil || *rep.Runs != 1 || rep.Concurrency != 1 || rep.ConcurrentRuns != 1 || rep.GuestPython == "" || rep.Notes == nil {
		t.Errorf("report header: %s", stdout)
	}
	var variants []string
	for _, r := range rep.Results {
		variants = append(variants, r.Variant)
		if r.Workload != "eval100" || r.MedianMs <= 0 || r.P95Ms < r.MedianMs || r.RunsPerSec <= 0 || r.ConcurrentRunsPerSec <= 0 {
			t.Errorf("result %+v", r)
		}
		if (rep.Native != nil) != (r.VsNative != nil) || r.VsNative != nil && r.VsNative.Median <= 0 {
			t.Errorf("%s: vsNative %+v with native %+v", r.Variant, r.VsNative, rep.Native)
		}
	}
	if want := benchVariants(); !slices.Equal(variants, want) {
		t.Errorf("variants %v, want %v", variants, want)
	}
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
		args   []string
		stderr string
	}{
		{[]string{"--runs", "0"}, "--runs 0: must be at least 1"},
		{[]string{"--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"--workloads", "hello,nope"}, `unknown workload "nope" (have hello, imports, eval100, compute)`},
		{[]string{"--workloads", "hello,"}, "empty workload name"},
		{[]string{"--workloads", "hello,hello"}, `workload "hello" is listed twice`},
		{[]string{"--runs", "many"}, `invalid argument "many"`},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		stdout, stderr, exit := cli(t, "", append([]string{"bench"}, tc.args...)...)
		if exit != 2 || stdout != "" || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%v: exit %d stdout %q stderr %q, want 2 and %q", tc.args, exit, stdout, stderr, tc.stderr)
		}
	}
}
