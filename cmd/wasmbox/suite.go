package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// suite is what `wasmbox test` (and `wasmbox replay`, with one case) runs.
type suite struct {
	code     []byte
	function string
	lim      limitFlags
	det      detFlags
	cases    []runtime.TestCase
	progress func(finished, total int)
}

// caseInputs is everything besides runtime.Sums that decides a
// deterministic case's result: the cache's key and a replay bundle's body.
type caseInputs struct {
	EvalCode     string     `json:"evalCode"`
	Function     string     `json:"function"`
	Case         caseObject `json:"case"`
	Policy       string     `json:"policy"`
	AllowImports string     `json:"allowImports"`
	TimeoutMs    int64      `json:"timeoutMs"`
	Memory       string     `json:"memory"`
	Seed         uint64     `json:"seed"`
	CPUBudget    int64      `json:"cpuBudget"`
	// Packages are --packages' paths; PackagesSum what they held
	// (runtime.Packages.Sum).
	Packages    []string `json:"packages,omitempty"`
	PackagesSum string   `json:"packagesSum,omitempty"`
}

// caseObject is a case in the cases file's form.
type caseObject struct {
	Name      string          `json:"name,omitempty"`
	Args      json.RawMessage `json:"args,omitempty"`
	Kwargs    json.RawMessage `json:"kwargs,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	Expected  json.RawMessage `json:"expected,omitempty"`
	Tolerance *float64        `json:"tolerance,omitempty"`
	Raises    string          `json:"raises,omitempty"`
}

// inputs returns case i's inputs.
func (s *suite) inputs(i int) caseInputs {
	c := s.cases[i]
	return caseInputs{
		EvalCode: string(s.code), Function: s.function,
		Case:   caseObject{Name: c.Name, Args: c.Args, Kwargs: c.Kwargs, Input: c.Input, Expected: c.Expected, Tolerance: c.Tolerance, Raises: c.Raises},
		Policy: s.lim.policy, AllowImports: s.lim.allowImport, TimeoutMs: s.lim.timeout.Milliseconds(), Memory: s.lim.memory,
		Seed: s.det.seed, CPUBudget: s.det.budget,
		Packages: s.lim.packages, PackagesSum: s.lim.loaded.Sum(),
	}
}

// run runs the suite: cases the cache (when not nil) holds a result for are
// answered from it; the rest run in an engine started only if there are
// any, and their results join the cache.
func (s *suite) run(ctx context.Context, cache *resultCache) (*runtime.TestReport, error) {
	start := time.Now()
	results := make([]runtime.CaseResult, len(s.cases))
	var missed []int
	for i := range s.cases {
		if r, ok := cache.get(s.inputs(i)); ok {
			r.Index, r.Tolerance, r.Raises = i, s.cases[i].Tolerance, s.cases[i].Raises
			results[i] = r
		} else {
			missed = append(missed, i)
		}
	}
	if len(missed) > 0 {
		todo := make([]runtime.TestCase, len(missed))
		for j, i := range missed {
			todo[j] = s.cases[i]
		}
		rep, err := s.test(ctx, todo)
		if err != nil || rep.LoadError != nil || len(rep.Violations) > 0 {
			return rep, err
		}
		for j, i := range missed {
			r := rep.Cases[j]
			r.Index = i
			results[i] = r
			if s.det.deterministic && cacheable(r) {
				cache.put(s.inputs(i), r)
			}
		}
	}
	rep := &runtime.TestReport{Function: s.function, Cases: results}
	rep.Tally()
	rep.Duration = float64(time.Since(start)) / float64(time.Millisecond)
	return rep, nil
}

// test runs cases in a new engine.
func (s *suite) test(ctx context.Context, cases []runtime.TestCase) (*runtime.TestReport, error) {
	cfg, policy, err := s.lim.sandboxConfig()
	if err != nil {
		return nil, err
	}
	// One warm instance: after a case times out or crashes, the rest go on
	// in an interpreter that is already up. (Deterministic cases each start
	// from their seed's snapshot instead.)
	ecfg := runtime.EngineConfig{}
	if !s.det.deterministic {
		ecfg.Pool.Size = 1
	}
	engine, err := runtime.NewEngine(ctx, ecfg)
	if err != nil {
		return nil, err
	}
	defer engine.Close(ctx)
	tester, err := runtime.NewEvalTester(engine, runtime.TesterConfig{
		Function: s.function, Timeout: cfg.Timeout, MemoryLimit: cfg.MemoryLimit, Policy: &policy, Packages: cfg.Packages, Progress: s.progress,
		Deterministic: s.det.deterministic, Seed: s.det.seed, CPUBudget: s.det.budget,
	})
	if err != nil {
		return nil, usageErr{err}
	}
	return tester.Test(ctx, s.code, cases)
}

// cacheable reports whether r is a deterministic result: all are but a
// wall-clock timeout's.
func cacheable(r runtime.CaseResult) bool {
	return r.Status != runtime.StatusTimeout || runtime.UsedBudget(r)
}

// usageErr is a bad setting found once the suite runs.
type usageErr struct{ error }
