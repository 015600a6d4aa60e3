package runtime

import (
	"context"
	"fmt"
	"time"
	"unicode"

	"github.com/wasmbox/wasmbox/internal/evaltest"
	"github.com/wasmbox/wasmbox/validate"
)

// The eval tester's types, defined in internal/evaltest.
type (
	// TestCase is one labelled case: the call's arguments and what it must
	// return or raise.
	TestCase = evaltest.Case
	// TestReport is the outcome of EvalTester.Test; its JSON form is the
	// CLI's `test --json` output.
	TestReport = evaltest.Report
	// CaseResult is the outcome of one case.
	CaseResult = evaltest.CaseResult
)

// TesterConfig configures an EvalTester. Zero fields take the defaults.
type TesterConfig struct {
	// Function is the name of the function to test; default "evaluate".
	Function string
	// Timeout is the wall-clock limit of each case; default 5s.
	Timeout time.Duration
	// MemoryLimit caps the instance's linear memory; default 128 MiB.
	MemoryLimit uint64
	// Policy is checked statically before any case runs and enforced in
	// the guest while they run. Nil means the strict policy.
	Policy *validate.Policy
	// Packages, when set, are importable by the eval code (see
	// SandboxConfig.Packages). Nil: none.
	Packages *Packages
	// Progress, when set, is called as cases finish with how many have
	// finished (cases run in order) and how many there are.
	Progress func(finished, total int)
	// Deterministic, Seed and CPUBudget run each case in its own
	// instance, deterministically and within the budget, as
	// ExecOptions's fields of those names say. A case's budget covers
	// loading the eval code and the call.
	Deterministic bool
	Seed          uint64
	CPUBudget     int64
}

// EvalTester runs an evaluation function against labelled cases. All cases
// run in one interpreter instance, which is handed one case at a time and
// reports what the call did; the host judges, and what a case expects never
// enters the guest. A case that runs past its timeout, breaks the protocol,
// hits the memory limit or crashes the instance is marked as such, and the
// rest go on in a fresh instance. It is safe for concurrent use.
type EvalTester struct {
	runner   *PythonRunner
	function string
	timeout  time.Duration
	memory   uint64
	progress func(finished, total int)
	det      TesterConfig // only its Deterministic, Seed and CPUBudget
}

// NewEvalTester returns a tester on engine.
func NewEvalTester(engine *Engine, cfg TesterConfig) (*EvalTester, error) {
	if cfg.Function == "" {
		cfg.Function = "evaluate"
	}
	if !isIdentifier(cfg.Function) {
		return nil, fmt.Errorf("wasmbox: function name %q is not a Python identifier", cfg.Function)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	if cfg.CPUBudget < 0 {
		return nil, fmt.Errorf("wasmbox: the CPU budget must not be negative, got %d", cfg.CPUBudget)
	}
	runner, err := NewPythonRunner(engine, RunnerConfig{Policy: cfg.Policy, Sandbox: SandboxConfig{Timeout: cfg.Timeout, MemoryLimit: cfg.MemoryLimit, Packages: cfg.Packages}})
	if err != nil {
		return nil, err
	}
	det := TesterConfig{Deterministic: cfg.Deterministic, Seed: cfg.Seed, CPUBudget: cfg.CPUBudget}
	return &EvalTester{runner: runner, function: cfg.Function, timeout: cfg.Timeout, memory: cfg.MemoryLimit, progress: cfg.Progress, det: det}, nil
}

// isIdentifier reports whether s is a Python identifier.
func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Pc, r))) {
			return false
		}
	}
	return s != ""
}

// Test checks evalCode against the policy, then runs it against cases. A
// rejected script gives a report with its violations and no case run; code
// that fails to load (a syntax error, an exception at import, no such
// function) gives a report with loadError and no case run. The error is for
// failures of the sandbox itself, or a canceled ctx.
func (t *EvalTester) Test(ctx context.Context, evalCode []byte, cases []TestCase) (*TestReport, error) {
	start := time.Now()
	rep, err := t.test(ctx, evalCode, cases)
	if rep != nil {
		rep.Duration = evaltest.Millis(time.Since(start))
	}
	return rep, err
}

func (t *EvalTester) test(ctx context.Context, evalCode []byte, cases []TestCase) (*TestReport, error) {
	if v := t.runner.Check(evalCode); len(v) > 0 && !onlySyntaxErrors(v) {
		rep := &TestReport{Function: t.function, Violations: v}
		rep.Tally()
		return rep, nil
	}
	s, err := t.runner.engine.NewSandbox(SandboxConfig{MemoryLimit: t.memory, Packages: t.runner.cfg.Sandbox.Packages})
	if err != nil {
		return nil, err
	}
	defer s.Destroy()
	if t.det.Deterministic {
		s.fs.clock.freeze()
	}
	if t.det.Deterministic || t.det.CPUBudget > 0 {
		return t.testEach(ctx, s, evalCode, cases)
	}
	cfg := evaltest.Config{Function: t.function, Timeout: t.timeout, Progress: t.progress}
	return evaltest.Run(ctx, cfg, cases, t.launcher(s, evalCode, nil))
}

// onlySyntaxErrors reports whether every violation is a syntax error. Such
// code is not rejected: the interpreter reports the error, with its own
// message and line, as the load error.
func onlySyntaxErrors(v []validate.Violation) bool {
	for _, x := range v {
		if x.Rule != validate.RuleSyntaxError {
			return false
		}
	}
	return true
}
