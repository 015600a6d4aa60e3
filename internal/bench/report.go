package bench

import (
	"encoding/json"
	"math"
)

// SchemaVersion is the version of the JSON shape of Report. It changes only
// when a field is removed or changes meaning; new fields may be added.
const SchemaVersion = 1

// Report is the outcome of Run. Its JSON form is what `wasmbox bench
// --json` prints:
//
//	{"schemaVersion": 1, "goos": "linux", "goarch": "amd64", "cpus": 2,
//	 "runs": 20, "concurrency": 2, "concurrentRuns": 20, "warmupRuns": 1,
//	 "native": {"path": "/usr/bin/python3.12", "version": "3.12.4"},
//	 "guestPython": "3.13.5",
//	 "workloads": [{"name": "hello", "description": "..."}],
//	 "variants": [{"name": "native", "description": "..."}],
//	 "results": [{"workload": "hello", "variant": "wasmbox",
//	              "medianMs": 95.1, "p95Ms": 120.4,
//	              "runsPerSec": 10.2, "concurrentRunsPerSec": 18.9,
//	              "vsNative": {"median": 4.1, "p95": 4.5,
//	                           "runsPerSec": 0.24, "concurrentRunsPerSec": 0.27}}],
//	 "contexts": [{"op": "save", "medianMs": 80.2, "p95Ms": 95.0, "savedBytes": 9992971}],
//	 "notes": []}
//
// Times are milliseconds. native is null when no python3 was found; then
// every vsNative is null too. results hold one entry per workload and
// variant, workloads in the order of "workloads" and, within one, variants
// in the order of "variants"; a variant that could not run a workload (its
// interpreter lacks numpy) has "skipped" with the reason instead of
// figures. notes is never null.
type Report struct {
	SchemaVersion int    `json:"schemaVersion"`
	GOOS          string `json:"goos"`
	GOARCH        string `json:"goarch"`
	// CPUs is the number of logical CPUs of the machine.
	CPUs int `json:"cpus"`
	// Runs is the number of measured runs at concurrency 1, per workload
	// and variant.
	Runs int `json:"runs"`
	// Concurrency is the number of runs in flight at once in the concurrent
	// measurement, and ConcurrentRuns how many runs it made in all.
	Concurrency    int `json:"concurrency"`
	ConcurrentRuns int `json:"concurrentRuns"`
	// WarmupRuns is the number of unmeasured runs before the measured ones.
	WarmupRuns int `json:"warmupRuns"`
	// Native is the host interpreter of the native variant, or nil.
	Native *Python `json:"native"`
	// GuestPython is the version of the CPython inside wasmbox.
	GuestPython string         `json:"guestPython"`
	Workloads   []NamedSummary `json:"workloads"`
	Variants    []NamedSummary `json:"variants"`
	Results     []Result       `json:"results"`
	// Contexts holds the code-context measurements (Config.Contexts), one
	// per operation; empty when they were not asked for.
	Contexts []ContextResult `json:"contexts"`
	// Notes say what was left out and why.
	Notes []string `json:"notes"`
}

// NamedSummary names a workload or variant and says what it is.
type NamedSummary struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Result is what one variant measured on one workload.
type Result struct {
	Workload string `json:"workload"`
	Variant  string `json:"variant"`
	// MedianMs and P95Ms are the latency of one run at concurrency 1.
	MedianMs float64 `json:"medianMs"`
	P95Ms    float64 `json:"p95Ms"`
	// RunsPerSec is the throughput at concurrency 1 (Runs divided by the
	// sum of their latencies); ConcurrentRunsPerSec is ConcurrentRuns
	// divided by the wall time they took at Report.Concurrency.
	RunsPerSec           float64 `json:"runsPerSec"`
	ConcurrentRunsPerSec float64 `json:"concurrentRunsPerSec"`
	// VsNative divides each figure by native's on the same workload in the
	// same run; nil when there is no native result.
	VsNative *Ratios `json:"vsNative"`
	// Skipped, when set, says why the variant did not run the workload
	// ("skipped: no numpy in this build"); the figures are then zero.
	Skipped string `json:"skipped,omitempty"`
}

// Ratios are a result's figures divided by native's. Latency ratios above 1,
// and throughput ratios below 1, mean slower than native.
type Ratios struct {
	Median               float64 `json:"median"`
	P95                  float64 `json:"p95"`
	RunsPerSec           float64 `json:"runsPerSec"`
	ConcurrentRunsPerSec float64 `json:"concurrentRunsPerSec"`
}

// MarshalJSON writes the report with notes as an array, never null.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	if p.Notes == nil {
		p.Notes = []string{}
	}
	if p.Results == nil {
		p.Results = []Result{}
	}
	if p.Contexts == nil {
		p.Contexts = []ContextResult{}
	}
	return json.Marshal(p)
}

// setRatios fills VsNative in every result of a workload that has a native
// result.
func (r *Report) setRatios() {
	native := map[string]Result{}
	for _, x := range r.Results {
		if x.Variant == NativeName && x.Skipped == "" {
			native[x.Workload] = x
		}
	}
	for i := range r.Results {
		x := &r.Results[i]
		n, ok := native[x.Workload]
		if !ok || x.Skipped != "" {
			continue
		}
		x.VsNative = &Ratios{
			Median:               ratio(x.MedianMs, n.MedianMs),
			P95:                  ratio(x.P95Ms, n.P95Ms),
			RunsPerSec:           ratio(x.RunsPerSec, n.RunsPerSec),
			ConcurrentRunsPerSec: ratio(x.ConcurrentRunsPerSec, n.ConcurrentRunsPerSec),
		}
	}
}

// ratio returns a/b rounded to three decimals, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1000) / 1000
}
