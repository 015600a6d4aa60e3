package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeVariant records its runs and fails the run numbered failAt (1-based
// over all its runs, warm-up included), if set.
type fakeVariant struct {
	name   string
	failAt int32
	calls  *atomic.Int32
	log    *[]string
	mu     *sync.Mutex
}

func (v fakeVariant) Name() string        { return v.name }
func (v fakeVariant) Description() string { return "fake " + v.name }

func (v fakeVariant) Prepare(_ context.Context, w *Workload) (RunFunc, error) {
	return func(ctx context.Context) error {
		n := v.calls.Add(1)
		v.mu.Lock()
		*v.log = append(*v.log, v.name)
		v.mu.Unlock()
		time.Sleep(time.Millisecond)
		if n == v.failAt {
			return errors.New("boom")
		}
		return ctx.Err()
	}, nil
}

func fakes(names ...string) ([]Variant, []*atomic.Int32, *[]string) {
	var vs []Variant
	var calls []*atomic.Int32
	log := &[]string{}
	mu := &sync.Mutex{}
	for _, n := range names {
		c := &atomic.Int32{}
		calls = append(calls, c)
		vs = append(vs, fakeVariant{name: n, calls: c, log: log, mu: mu})
	}
	return vs, calls, log
}

func TestMeterCountsAndInterleaves(t *testing.T) {
	vs, calls, log := fakes("native", "other")
	var steps []int
	m := &meter{cfg: Config{Runs: 3, Concurrency: 5}, progress: func(done, total int, _ string) { steps = append(steps, done) }}
	m.total = len(vs) * (WarmupRuns + 3 + 5)
	results, err := m.workload(context.Background(), &Workload{Name: "w"}, vs, nil)
	require.NoError(t, err)
	for i, c := range calls {
		// Warm-up, the serial runs, then max(runs, concurrency) at once.
		assert.Equal(t, int32(WarmupRuns+3+5), c.Load(), "runs of variant %d", i)
	}
	require.GreaterOrEqual(t, len(*log), 2+6)
	assert.Equal(t, "native other native other native other native other", strings.Join((*log)[:2+6], " "), "serial runs interleaved")
	require.NotEmpty(t, steps)
	assert.Len(t, steps, m.total, "progress steps %v", steps)
	assert.Equal(t, m.total, steps[len(steps)-1], "last progress step")
	require.Len(t, results, 2)
	assert.Equal(t, "native", results[0].Variant)
	assert.Equal(t, "w", results[1].Workload)
	assert.Positive(t, results[0].MedianMs)
	assert.Positive(t, results[0].RunsPerSec)
	assert.Positive(t, results[0].ConcurrentRunsPerSec)
}

func TestMeterSkips(t *testing.T) {
	vs, calls, _ := fakes("native", "a", "b")
	m := &meter{cfg: Config{Runs: 2, Concurrency: 1}}
	results, err := m.workload(context.Background(), &Workload{Name: "w"}, vs, map[string]string{"a": "skipped: no numpy in this build"})
	require.NoError(t, err)
	assert.Equal(t, int32(0), calls[1].Load(), "runs of the skipped variant")
	assert.Equal(t, int32(WarmupRuns+2+2), calls[2].Load(), "runs of the one after it")
	require.Len(t, results, 3)
	assert.Equal(t, Result{Workload: "w", Variant: "a", Skipped: "skipped: no numpy in this build"}, results[1])
	assert.Equal(t, "b", results[2].Variant)
	assert.Positive(t, results[2].MedianMs)
}

func TestMeterFailureIsAnError(t *testing.T) {
	for _, tc := range []struct {
		failAt int32
		want   string
	}{
		{1, "bench: w b: warm-up run 1: boom"},
		{3, "bench: w b: run 2 of 2: boom"},
		{5, "bench: w b: at concurrency 2: run "},
	} {
		t.Run(fmt.Sprintf("run %d", tc.failAt), func(t *testing.T) {
			vs, calls, _ := fakes("a", "b")
			f := vs[1].(fakeVariant)
			f.failAt = tc.failAt
			vs[1] = f
			m := &meter{cfg: Config{Runs: 2, Concurrency: 2}}
			_, err := m.workload(context.Background(), &Workload{Name: "w"}, vs, nil)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.want), "got %q, want %q…", err, tc.want)
			assert.True(t, strings.HasSuffix(err.Error(), "boom"), "got %q, want …boom", err)
			if tc.failAt == 5 {
				assert.LessOrEqual(t, calls[1].Load(), int32(6), "runs went on after a failure")
			}
		})
	}
}

func TestMeterCanceled(t *testing.T) {
	vs, _, _ := fakes("a")
	ctx, cancel := context.WithCancel(context.Background())
	m := &meter{cfg: Config{Runs: 1000, Concurrency: 2}, progress: func(done, _ int, _ string) {
		if done == 3 {
			cancel()
		}
	}}
	_, err := m.workload(ctx, &Workload{Name: "w"}, vs, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRunConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no runs", Config{Runs: 0}, "runs 0"},
		{"negative concurrency", Config{Runs: 1, Concurrency: -1}, "concurrency -1"},
		{"unknown workload", Config{Runs: 1, Workloads: []string{"nope"}}, `unknown workload "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(ctx, tc.cfg)
			assert.ErrorContains(t, err, tc.want)
		})
	}
}

// One real run: native (when there is a python3), wasmbox and wasmbox-warm
// on hello.
func TestRunHello(t *testing.T) {
	var last string
	rep, err := Run(context.Background(), Config{Runs: 1, Concurrency: 1, Workloads: []string{"hello"},
		Progress: func(done, total int, label string) { last = fmt.Sprintf("%d/%d %s", done, total, label) }})
	require.NoError(t, err)
	want := 2
	if rep.Native != nil {
		want = 3
	}
	require.Len(t, rep.Results, want, "results %+v", rep.Results)
	assert.Equal(t, "wasmbox", rep.Results[want-2].Variant)
	assert.Equal(t, "wasmbox-warm", rep.Results[want-1].Variant)
	assert.Positive(t, rep.Results[want-1].MedianMs)
	if rep.Native != nil {
		if assert.NotNil(t, rep.Results[1].VsNative, "no ratio to native: %+v", rep.Results[1]) {
			assert.Positive(t, rep.Results[1].VsNative.Median, "ratio to native")
		}
	}
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "wasmbox-cli: skipped", "notes say wasmbox-cli was skipped")
	assert.Equal(t, fmt.Sprintf("%d/%d hello wasmbox-warm ×1", want*3, want*3), last, "last progress")
}

// The code-context measurements: each operation once, on a real engine.
func TestRunContexts(t *testing.T) {
	rep, err := Run(context.Background(), Config{Runs: 1, Concurrency: 1, Workloads: []string{"hello"}, Contexts: true})
	require.NoError(t, err)
	var ops []string
	for _, x := range rep.Contexts {
		ops = append(ops, x.Op)
		assert.Positive(t, x.MedianMs, x.Op)
	}
	assert.Equal(t, []string{"create", "run", "fork", "save", "resume"}, ops)
	require.Len(t, rep.Contexts, 5)
	assert.Greater(t, rep.Contexts[3].SavedBytes, 1<<20, "a dict of 10^5 entries saves more than 1 MiB")
}

// skippingVariant is a fakeVariant that leaves the eval workload out.
type skippingVariant struct{ fakeVariant }

func (skippingVariant) Skips(w *Workload) bool { return w.Eval != nil }

func TestMeterLeavesOutSkippedWorkloads(t *testing.T) {
	vs, calls, _ := fakes("native", "server")
	vs[1] = skippingVariant{vs[1].(fakeVariant)}
	m := &meter{cfg: Config{Runs: 2, Concurrency: 1}}

	results, err := m.workload(context.Background(), &Workload{Name: "eval", Eval: &EvalWorkload{}}, vs, nil)
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, "native", results[0].Variant)
	assert.Equal(t, int32(0), calls[1].Load(), "runs of the variant that skips eval")

	results, err = m.workload(context.Background(), &Workload{Name: "script"}, vs, nil)
	require.NoError(t, err)
	require.Len(t, results, 2)
	assert.Equal(t, "server", results[1].Variant)
	assert.Equal(t, int32(WarmupRuns+2+2), calls[1].Load(), "runs of the variant on a script workload")
}
