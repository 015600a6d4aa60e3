package bench

import (
	"context"
	"fmt"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// engineVariant runs the workload in one of this process's engines with a
// fresh sandbox per run, under the default strict policy, as a user of the
// Go API would. With the engine's warm pool off, every run starts a fresh
// interpreter instance; with it on, runs take a warm one when it is ready.
type engineVariant struct {
	name, description string
	engine            *runtime.Engine
}

func (v engineVariant) Name() string { return v.name }

func (v engineVariant) Description() string { return v.description }

func (v engineVariant) Prepare(_ context.Context, w *Workload) (RunFunc, error) {
	if w.Eval != nil {
		return v.prepareEval(w.Eval)
	}
	policy, err := workloadPolicy(w)
	if err != nil {
		return nil, err
	}
	runner, err := runtime.NewPythonRunner(v.engine, runtime.RunnerConfig{Policy: &policy, Sandbox: runtime.SandboxConfig{Timeout: runTimeout}})
	if err != nil {
		return nil, err
	}
	check := expectStdout(w.Stdout)
	return func(ctx context.Context) error {
		res, err := runner.Run(ctx, w.Script, nil, runtime.ExecOptions{})
		if err != nil {
			return err
		}
		if err := resultError(res); err != nil {
			return err
		}
		return check(res.Stdout)
	}, nil
}

// prepareEval readies the eval tester on the workload's cases.
func (v engineVariant) prepareEval(e *EvalWorkload) (RunFunc, error) {
	tester, err := runtime.NewEvalTester(v.engine, runtime.TesterConfig{})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		rep, err := tester.Test(ctx, e.Code, e.Cases)
		switch {
		case err != nil:
			return err
		case len(rep.Violations) > 0:
			return fmt.Errorf("the eval code was rejected: %s", rep.Violations[0].Message)
		case rep.LoadError != nil:
			return fmt.Errorf("the eval code failed to load: %s: %s", rep.LoadError.Type, rep.LoadError.Message)
		case !rep.Success || rep.Passed != len(e.Cases):
			return fmt.Errorf("%d of %d cases passed (%d failed, %d errors, %d timed out)", rep.Passed, len(e.Cases), rep.Failed, rep.Errors, rep.TimedOut)
		}
		return nil
	}, nil
}

// workloadPolicy is the policy the wasmbox variants run w under: strict,
// with w's AllowImports.
func workloadPolicy(w *Workload) (validate.Policy, error) {
	p, err := validate.PolicyByName("strict")
	if err != nil {
		return p, err
	}
	return p.WithAllowedImports(w.AllowImports...)
}

// resultError describes a run that did not end with status 0.
func resultError(res *runtime.ExecResult) error {
	switch {
	case len(res.Violations) > 0:
		return fmt.Errorf("rejected by the policy: %s", res.Violations[0].Message)
	case res.TimedOut:
		return fmt.Errorf("timed out after %v", runTimeout)
	case res.ExitCode != 0:
		return fmt.Errorf("exit status %d: %s", res.ExitCode, tail(res.Stderr))
	}
	return nil
}
