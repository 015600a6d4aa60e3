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
	results, err := m.workload(context.Background(), &Workload{Name: "w"}, vs)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range calls {
		// Warm-up, the serial runs, then max(runs, concurrency) at once.
		if got := c.Load(); got != WarmupRuns+3+5 {
			t.Errorf("variant %d ran %d times", i, got)
		}
	}
	if got := strings.Join((*log)[:2+6], " "); got != "native other native other native other native other" {
		t.Errorf("serial runs not interleaved: %s", got)
	}
	if len(steps) != m.total || steps[len(steps)-1] != m.total {
		t.Errorf("progress steps %v, want 1..%d", steps, m.total)
	}
	if len(results) != 2 || results[0].Variant != "native" || results[1].Workload != "w" ||
		results[0].MedianMs <= 0 || results[0].RunsPerSec <= 0 || results[0].ConcurrentRunsPerSec <= 0 {
		t.Errorf("results %+v", results)
	}
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
		vs, calls, _ := fakes("a", "b")
		f := vs[1].(fakeVariant)
		f.failAt = tc.failAt
		vs[1] = f
		m := &meter{cfg: Config{Runs: 2, Concurrency: 2}}
		_, err := m.workload(context.Background(), &Workload{Name: "w"}, vs)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), "boom") {
			t.Errorf("fail at %d: got %v, want %q…", tc.failAt, err, tc.want)
		}
		if tc.failAt == 5 && calls[1].Load() > 6 {
			t.Errorf("runs went on after a failure: %d", calls[1].Load())
		}
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
	_, err := m.workload(ctx, &Workload{Name: "w"}, vs)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestRunConfigErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Runs: 0}, "runs 0"},
		{Config{Runs: 1, Concurrency: -1}, "concurrency -1"},
		{Config{Runs: 1, Workloads: []string{"nope"}}, `unknown workload "nope"`},
	} {
		if _, err := Run(ctx, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// One real run: native (when there is a python3), wasmbox and wasmbox-warm
// on hello.
func TestRunHello(t *testing.T) {
	var last string
	rep, err := Run(context.Background(), Config{Runs: 1, Concurrency: 1, Workloads: []string{"hello"},
		Progress: func(done, total int, label string) { last = fmt.Sprintf("%d/%d %s", done, total, label) }})
	if err != nil {
		t.Fatal(err)
	}
	want := 2
	if rep.Native != nil {
		want = 3
	}
	if len(rep.Results) != want || rep.Results[want-2].Variant != "wasmbox" || rep.Results[want-1].Variant != "wasmbox-warm" || rep.Results[want-1].MedianMs <= 0 {
		t.Fatalf("results %+v", rep.Results)
	}
	if rep.Native != nil && (rep.Results[1].VsNative == nil || rep.Results[1].VsNative.Median <= 0) {
		t.Errorf("no ratio to native: %+v", rep.Results[1])
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "wasmbox-cli: skipped") {
		t.Errorf("notes %q do not say wasmbox-cli was skipped", rep.Notes)
	}
	if wantLast := fmt.Sprintf("%d/%d hello wasmbox-warm ×1", want*3, want*3); last != wantLast {
		t.Errorf("last progress %q, want %q", last, wantLast)
	}
}
