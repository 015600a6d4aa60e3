package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	goruntime "runtime"
	"slices"
	"sync"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// WarmupRuns is the number of unmeasured runs of each workload and variant
// before the measured ones.
const WarmupRuns = 1

// Config configures Run.
type Config struct {
	// Runs is the number of measured runs of each workload and variant at
	// concurrency 1; the concurrent measurement makes max(Runs,
	// Concurrency) runs. It must be at least 1.
	Runs int
	// Concurrency is the number of runs in flight at once in the concurrent
	// measurement. Zero means the number of CPUs.
	Concurrency int
	// Workloads names the workloads to run; empty means all.
	Workloads []string
	// Python is the host interpreter for the native variant; empty means
	// python3 on PATH. When there is none, the native variant is left out
	// with a note.
	Python string
	// CLI is the wasmbox binary for the wasmbox-cli variant, normally the
	// running executable. Empty leaves that variant out with a note.
	CLI string
	// CLIServer also measures `wasmbox run --server` (wasmbox-cli-server),
	// against Server, or when that is empty against a `wasmbox serve` that
	// Run starts from CLI on a temporary unix socket and stops at the end.
	CLIServer bool
	// Server is the address of a running `wasmbox serve` for
	// wasmbox-cli-server: http://HOST:PORT or unix:PATH.
	Server string
	// Contexts also measures code contexts: create, run, fork, save and
	// resume (Report.Contexts).
	Contexts bool
	// Progress, when set, is called after each run (warm-up ones included)
	// with how many runs are done, how many there are in all, and what is
	// running, like "eval100 wasmbox ×2". Calls are serialized.
	Progress func(done, total int, label string)
}

// Run measures every variant on every workload that cfg selects. Any run
// that fails ends it with an error naming the workload, the variant and the
// run; so does a canceled ctx (the error then wraps ctx.Err()).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Runs < 1 {
		return nil, fmt.Errorf("bench: runs %d: must be at least 1", cfg.Runs)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = goruntime.NumCPU()
	}
	if cfg.Concurrency < 1 {
		return nil, fmt.Errorf("bench: concurrency %d: must be at least 1", cfg.Concurrency)
	}
	workloads, err := SelectWorkloads(cfg.Workloads)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	rep := &Report{
		SchemaVersion: SchemaVersion, GOOS: goruntime.GOOS, GOARCH: goruntime.GOARCH, CPUs: goruntime.NumCPU(),
		Runs: cfg.Runs, Concurrency: cfg.Concurrency, ConcurrentRuns: max(cfg.Runs, cfg.Concurrency),
		WarmupRuns: WarmupRuns,
	}

	s := setup{cli: cfg.CLI}
	s.python, s.pythonErr = FindPython(ctx, cfg.Python)
	rep.Native = s.python
	if s.engine, err = runtime.NewEngine(ctx, runtime.EngineConfig{}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer s.engine.Close(context.Background())
	rep.GuestPython = s.engine.PythonVersion()
	if s.warm, err = runtime.NewEngine(ctx, runtime.EngineConfig{Pool: runtime.PoolConfig{Size: cfg.Concurrency}}); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer s.warm.Close(context.Background())
	dir, err := os.MkdirTemp("", "wasmbox-bench")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	if cfg.CLIServer && cfg.CLI != "" && slices.ContainsFunc(workloads, func(w *Workload) bool { return w.Eval == nil }) {
		s.server, s.where = cfg.Server, describeServer(cfg.Server, cfg.Server == "")
		if cfg.Server == "" {
			srv, err := startServe(ctx, cfg.CLI, dir)
			if err != nil {
				return nil, fmt.Errorf("bench: %w", err)
			}
			defer srv.stop()
			s.server = srv.addr
		}
	}
	vs, notes := variants(s)
	rep.Notes = append(rep.Notes, notes...)
	for _, w := range workloads {
		if w.files, err = w.writeFiles(dir); err != nil {
			return nil, fmt.Errorf("bench: writing the %s workload: %w", w.Name, err)
		}
		rep.Workloads = append(rep.Workloads, NamedSummary{w.Name, w.Description})
	}
	for _, v := range vs {
		rep.Variants = append(rep.Variants, NamedSummary{v.Name(), v.Description()})
	}

	probe := newModuleProbe(s.engine, s.python)
	skips := make([]map[string]string, len(workloads))
	m := &meter{cfg: cfg, progress: cfg.Progress}
	for i, w := range workloads {
		if skips[i], err = probe.skips(ctx, w, vs); err != nil {
			return nil, err
		}
		for _, v := range vs {
			if runsOn(v, w) && skips[i][v.Name()] == "" {
				m.total += WarmupRuns + cfg.Runs + rep.ConcurrentRuns
			}
		}
	}
	if cfg.Contexts {
		m.total += contextRuns(cfg.Runs)
	}
	for i, w := range workloads {
		results, err := m.workload(ctx, w, vs, skips[i])
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, results...)
	}
	if cfg.Contexts {
		if rep.Contexts, err = m.measureContexts(ctx, s.engine); err != nil {
			return nil, err
		}
	}
	rep.setRatios()
	return rep, nil
}

// meter runs the measurements and counts progress.
type meter struct {
	cfg      Config
	progress func(done, total int, label string)
	total    int

	mu   sync.Mutex
	done int
}

// step records that one run finished.
func (m *meter) step(label string) {
	if m.progress == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done++
	m.progress(m.done, m.total, label)
}

// workload measures every variant that runs w (runsOn) but those that
// skips gives a reason for, which get a result that says it; the results
// are in the order of all.
func (m *meter) workload(ctx context.Context, w *Workload, all []Variant, skips map[string]string) ([]Result, error) {
	var active []Variant
	for _, v := range all {
		if runsOn(v, w) && skips[v.Name()] == "" {
			active = append(active, v)
		}
	}
	measured, err := m.measure(ctx, w, active)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(all))
	for _, v := range all {
		switch {
		case !runsOn(v, w):
		case skips[v.Name()] != "":
			out = append(out, Result{Workload: w.Name, Variant: v.Name(), Skipped: skips[v.Name()]})
		default:
			out = append(out, measured[0])
			measured = measured[1:]
		}
	}
	return out, nil
}

// measure measures every variant of all on w: the warm-up runs, then the
// runs at concurrency 1 interleaved across the variants, then each
// variant's concurrent runs.
func (m *meter) measure(ctx context.Context, w *Workload, all []Variant) ([]Result, error) {
	var vs []Variant
	var runs []RunFunc
	for _, v := range all {
		run, err := v.Prepare(ctx, w)
		if err != nil {
			return nil, fmt.Errorf("bench: %s %s: preparing: %w", w.Name, v.Name(), err)
		}
		vs, runs = append(vs, v), append(runs, run)
	}
	fail := func(v Variant, what string, err error) error {
		return fmt.Errorf("bench: %s %s: %s: %w", w.Name, v.Name(), what, err)
	}
	for i, v := range vs {
		for n := range WarmupRuns {
			if _, err := timed(ctx, runs[i]); err != nil {
				return nil, fail(v, fmt.Sprintf("warm-up run %d", n+1), err)
			}
			m.step(w.Name + " " + v.Name() + " warm-up")
		}
	}
	latencies := make([][]time.Duration, len(vs))
	for n := range m.cfg.Runs {
		for i, v := range vs {
			d, err := timed(ctx, runs[i])
			if err != nil {
				return nil, fail(v, fmt.Sprintf("run %d of %d", n+1, m.cfg.Runs), err)
			}
			latencies[i] = append(latencies[i], d)
			m.step(w.Name + " " + v.Name())
		}
	}
	results := make([]Result, len(vs))
	for i, v := range vs {
		l := summarize(latencies[i])
		results[i] = Result{
			Workload: w.Name, Variant: v.Name(),
			MedianMs: millis(l.Median), P95Ms: millis(l.P95),
			RunsPerSec: round3(perSecond(len(latencies[i]), l.Total)),
		}
		label := fmt.Sprintf("%s %s ×%d", w.Name, v.Name(), m.cfg.Concurrency)
		rate, err := m.concurrent(ctx, runs[i], label)
		if err != nil {
			return nil, fail(v, fmt.Sprintf("at concurrency %d", m.cfg.Concurrency), err)
		}
		results[i].ConcurrentRunsPerSec = round3(rate)
	}
	return results, nil
}

// concurrent makes max(Runs, Concurrency) runs of run, Concurrency at a
// time, and returns the runs per second. The first failure stops the rest.
func (m *meter) concurrent(ctx context.Context, run RunFunc, label string) (float64, error) {
	total := max(m.cfg.Runs, m.cfg.Concurrency)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu    sync.Mutex
		next  int
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range m.cfg.Concurrency {
		wg.Go(func() {
			for {
				mu.Lock()
				n := next
				next++
				stop := n >= total || first != nil
				mu.Unlock()
				if stop {
					return
				}
				if err := run(ctx); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("run %d of %d: %w", n+1, total, err)
						cancel(first)
					}
					mu.Unlock()
					return
				}
				m.step(label)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		// A run stopped by the cancel above is not the failure to report,
		// and a canceled parent ctx is reported as such.
		if err := context.Cause(ctx); err != nil && !errors.Is(err, first) {
			return 0, err
		}
		return 0, first
	}
	return perSecond(total, elapsed), nil
}

// timed runs run once and returns how long it took.
func timed(ctx context.Context, run RunFunc) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	start := time.Now()
	err := run(ctx)
	return time.Since(start), err
}

// round3 rounds x to three decimals.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
