package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync/atomic"

	"github.com/wasmbox/wasmbox/internal/evaltest"
)

// launcher starts the eval harness in s for evaltest.Run. Before each
// instance it writes the evaluation code and the harness afresh, so that
// every instance starts from the host's copies whatever an earlier one did
// to them. The guest's standard output is the harness's channel to the
// conductor, not capped like an Exec's: the conductor bounds each line.
// Instances run deterministically and within the CPU budget as t says; one
// stopped by the budget sets overBudget (when not nil).
func (t *EvalTester) launcher(s *Sandbox, code []byte, overBudget *atomic.Bool) evaltest.Launcher {
	first := true
	return func(ctx context.Context, stdin io.Reader, stdout io.Writer) (evaltest.Exit, error) {
		for path, data := range map[string][]byte{evaltest.ScriptPath: code, evaltest.HarnessPath: evaltest.HarnessSource} {
			if err := s.WriteFile(path, data); err != nil {
				if first {
					return evaltest.Exit{}, err
				}
				// An earlier instance filled the sandbox: its code's doing,
				// reported as this instance failing to load.
				return evaltest.Exit{Code: ExitSandboxFailure, Stderr: fmt.Sprintf("wasmbox: writing %s: %v\n", path, err)}, nil
			}
		}
		first = false
		// The harness runs as the guard's target, trusted like the standard
		// library; the eval code it loads is held to the policy.
		policy := t.runner.Policy()
		argv := t.runner.engine.guardConfig(s.cfg.Packages, evaltest.HarnessDir).Argv(policy, "file", evaltest.HarnessPath, evaltest.HarnessArgs(t.function))
		stderr := &cappedBuffer{max: DefaultMaxOutput}
		// No timeout for the instance as a whole: the conductor stops it
		// when a single case (or the loading) overruns. Each case handed
		// out is a job boundary for the memory watch, so a case that raised
		// MemoryError and replied does not count against the next.
		j := job{argv: argv, stdin: stdin, stdout: stdout, stderr: stderr, fs: s.fs, pkgs: s.cfg.Packages, memoryLimit: t.memory, timeout: math.MaxInt64,
			casesOnStdin: true, deterministic: t.det.Deterministic, seed: t.det.Seed, budget: t.det.CPUBudget,
			preload: s.engine.wantsPreload(code, &policy)}
		runErr, stopped, alloc, _ := s.engine.runJob(ctx, j, func() {})
		if errors.Is(stopped, errBudget) {
			reportBudget(stderr, j.budget)
			if overBudget != nil {
				overBudget.Store(true)
			}
		}
		res := &ExecResult{MemoryExceeded: alloc.exceeded.Load()}
		err := classify(ctx, stopped, runErr, res, stderr)
		text, _ := stderr.result()
		return evaltest.Exit{Code: res.ExitCode, MemoryExceeded: res.MemoryExceeded, Crashed: res.ExitCode == ExitCrashed, Stderr: text}, err
	}
}
