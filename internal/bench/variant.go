package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// runTimeout bounds every run of every variant. It is far above any
// workload's time: a run that reaches it is reported as a failure, and the
// limit does not change how fast a run goes.
const runTimeout = time.Minute

// RunFunc does one run of a workload. It returns an error when the run
// fails or prints the wrong thing. It must be safe for concurrent use.
type RunFunc func(ctx context.Context) error

// Variant is one way of running the workloads.
type Variant interface {
	// Name is the variant's name in reports.
	Name() string
	// Description says how the variant runs a workload.
	Description() string
	// Prepare readies w, once before any run of it, and returns the
	// function that runs it once.
	Prepare(ctx context.Context, w *Workload) (RunFunc, error)
}

// NativeName is the name of the baseline variant, which ratios divide by.
const NativeName = "native"

// setup is what the variants need from the benchmark run.
type setup struct {
	python    *Python         // nil when there is no native python3
	pythonErr error           // why python is nil
	engine    *runtime.Engine // this process's engine, no warm pool
	warm      *runtime.Engine // an engine with a warm pool of concurrency instances
	cli       string          // the wasmbox binary, or "" when there is none
	server    string          // the wasmbox serve for wasmbox-cli-server, or "" to leave it out
	where     string          // where server is, in words
}

// skipper is a variant that leaves some workloads out.
type skipper interface {
	Skips(w *Workload) bool
}

// runsOn reports whether v measures w.
func runsOn(v Variant, w *Workload) bool {
	s, ok := v.(skipper)
	return !ok || !s.Skips(w)
}

// variants returns the variants to measure, in report order, and notes on
// the ones left out. Adding a variant is adding one entry here.
func variants(s setup) ([]Variant, []string) {
	var out []Variant
	var notes []string
	if s.python != nil {
		out = append(out, nativeVariant{python: s.python.Path})
	} else {
		notes = append(notes, fmt.Sprintf("native: skipped, no usable python3 (%v); no ratios to native", s.pythonErr))
	}
	out = append(out,
		engineVariant{"wasmbox", "in-process engine, a fresh sandbox and a fresh interpreter instance per run (restored from the snapshot), strict policy (eval100: runtime.EvalTester)", s.engine},
		engineVariant{"wasmbox-warm", "as wasmbox, with the engine's warm pool (one instance per concurrent run, refilled one at a time); a run finding none ready starts a fresh one", s.warm},
	)
	if s.cli != "" {
		out = append(out, cliVariant{bin: s.cli})
		if s.server != "" {
			out = append(out, cliVariant{bin: s.cli, server: s.server, where: s.where})
		}
	} else {
		notes = append(notes, "wasmbox-cli: skipped, no wasmbox binary to run")
	}
	return out, notes
}
