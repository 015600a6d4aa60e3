package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmbox/wasmbox/runtime"
	"github.com/wasmbox/wasmbox/validate"
)

// RunInput is the arguments of run_python.
type RunInput struct {
	Code           string  `json:"code" jsonschema:"the Python 3.13 program to run (as the file /tmp/eval_script.py)"`
	TimeoutSeconds float64 `json:"timeout_seconds,omitempty" jsonschema:"wall-clock limit in seconds"`
	Policy         string  `json:"policy,omitempty" jsonschema:"import policy checked before the run and enforced during it: strict (json, re, typing), stdlib (reviewed pure standard-library modules) or none (no static check; isolation still applies)"`
	Context        string  `json:"context,omitempty" jsonschema:"name of a code context to run the code in, as its next cell: variables, imports and files last from one call naming it to the next, and a trailing expression's value is the result. The first call naming a context starts it; a run that times out or hits the memory limit ends it, as does sitting idle too long, and the next call naming it starts a new one. A context keeps the policy of the call that started it: a call naming it with another policy is refused"`
}

// CheckInput is the arguments of check_python.
type CheckInput struct {
	Code   string `json:"code" jsonschema:"the Python code to check without running it"`
	Policy string `json:"policy,omitempty" jsonschema:"import policy to check against: strict, stdlib or none"`
}

// CheckOutput is the structured result of check_python.
type CheckOutput struct {
	OK         bool                 `json:"ok" jsonschema:"true when the code passes the policy"`
	Violations []validate.Violation `json:"violations" jsonschema:"why the code would be rejected; empty when ok"`
}

// TestInput is the arguments of test_eval.
type TestInput struct {
	EvalCode       string            `json:"eval_code" jsonschema:"Python code that defines the function under test"`
	TestCases      []json.RawMessage `json:"test_cases" jsonschema:"the cases: each {name?, args? or kwargs? or input?, expected?, tolerance?, raises?}"`
	Function       string            `json:"function,omitempty" jsonschema:"name of the function to call (default evaluate)"`
	TimeoutSeconds float64           `json:"timeout_seconds,omitempty" jsonschema:"wall-clock limit of each case in seconds"`
}

// timeoutOf turns a call's timeout_seconds into a duration (zero: the
// default) within the service's maximum.
func (s *Service) timeoutOf(seconds float64) (time.Duration, error) {
	if seconds == 0 {
		return s.cfg.Timeout, nil
	}
	d := time.Duration(seconds * float64(time.Second))
	switch {
	case seconds < 0 || d <= 0:
		return 0, fmt.Errorf("timeout_seconds must be a positive number of seconds, not %v", seconds)
	case d > s.cfg.MaxTimeout:
		return 0, fmt.Errorf("timeout_seconds %v is above this server's maximum of %v seconds", seconds, s.cfg.MaxTimeout.Seconds())
	}
	return d, nil
}

// policyOf resolves a call's policy name (empty: the service's).
func (s *Service) policyOf(name string) (validate.Policy, error) {
	if name == "" {
		name = s.cfg.Policy
	}
	return policyNamed(name, s.cfg.AllowImports)
}

// withSlot runs fn in an execution slot.
func (s *Service) withSlot(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, release, err := s.cfg.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("no execution slot: %w", err)
	}
	defer release()
	return fn(ctx)
}

// The handlers answer a bad call or a failed sandbox with an error, which
// the SDK sends as a result with isError and the message, and no
// structured content; a program that ran and failed is a result with
// isError and its structured content.

// runPython answers an ExecResult, or with a context a ContextRun.
func (s *Service) runPython(ctx context.Context, _ *sdk.CallToolRequest, in RunInput) (*sdk.CallToolResult, any, error) {
	timeout, err := s.timeoutOf(in.TimeoutSeconds)
	if err != nil {
		return nil, nil, err
	}
	policy, err := s.policyOf(in.Policy)
	if err != nil {
		return nil, nil, err
	}
	if in.Context != "" {
		return s.runInContext(ctx, in, timeout, policy)
	}
	runner, err := runtime.NewPythonRunner(s.cfg.Engine, runtime.RunnerConfig{
		Policy:  &policy,
		Sandbox: runtime.SandboxConfig{Timeout: timeout, MemoryLimit: s.cfg.Memory, MaxOutput: s.cfg.MaxOutput, Packages: s.cfg.Packages},
	})
	if err != nil {
		return nil, nil, err
	}
	code := []byte(in.Code)
	// Rejected code never starts an interpreter, so it takes no slot.
	res := runner.Reject(code, nil)
	if res == nil {
		err = s.withSlot(ctx, func(ctx context.Context) error {
			res, err = runner.Run(ctx, code, nil, runtime.ExecOptions{Stdin: strings.NewReader("")})
			return err
		})
	}
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("the sandbox failed: %w", err)
	case res.ExitCode == runtime.ExitSandboxFailure:
		return nil, nil, fmt.Errorf("the sandbox failed: %s", strings.TrimSpace(res.Stderr))
	}
	return &sdk.CallToolResult{IsError: !res.Success}, res, nil
}

// runInContext runs in.Code as the next cell of the context in.Context,
// started first if it is not live, under the call's policy: a context
// takes the policy of the call that starts it, and a call with another
// policy is refused. A cell the policy rejects does not run.
func (s *Service) runInContext(ctx context.Context, in RunInput, timeout time.Duration, policy validate.Policy) (*sdk.CallToolResult, any, error) {
	if err := checkContextName(in.Context); err != nil {
		return nil, nil, err
	}
	nc, err := s.contexts.acquire(in.Context)
	if err != nil {
		return nil, nil, err
	}
	defer s.contexts.done(nc)
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if err := nc.checkPolicy(policy); err != nil {
		return nil, nil, err
	}
	out := &ContextRun{Context: ContextInfo{Name: in.Context}}
	if rejected := runtime.RejectCell(in.Code, policy); rejected != nil {
		out.Execution = *rejected
		if nc.rc != nil {
			out.ExecutionCount = nc.rc.ExecutionCount()
		}
		return &sdk.CallToolResult{IsError: true}, out, nil
	}
	var x *runtime.Execution
	err = s.withSlot(ctx, func(ctx context.Context) error {
		created, err := s.contexts.start(ctx, nc, policy)
		if err != nil {
			return err
		}
		out.Context.Created = created
		x, err = nc.rc.Run(ctx, in.Code, runtime.RunOptions{Timeout: timeout, Policy: &policy})
		return err
	})
	if nc.rc != nil {
		if lost := nc.rc.Err(); lost != nil {
			out.Context.Lost = fmt.Sprintf("%v; the next call naming %q starts a new context", lost, in.Context)
			nc.end()
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("context %q: %w", in.Context, err)
	}
	out.Execution = *x
	return &sdk.CallToolResult{IsError: x.Error != nil}, out, nil
}

func (s *Service) checkPython(_ context.Context, _ *sdk.CallToolRequest, in CheckInput) (*sdk.CallToolResult, CheckOutput, error) {
	policy, err := s.policyOf(in.Policy)
	if err != nil {
		return nil, CheckOutput{}, err
	}
	v := validate.Check([]byte(in.Code), policy)
	if v == nil {
		v = []validate.Violation{}
	}
	return &sdk.CallToolResult{IsError: len(v) > 0}, CheckOutput{OK: len(v) == 0, Violations: v}, nil
}

func (s *Service) testEval(ctx context.Context, req *sdk.CallToolRequest, in TestInput) (*sdk.CallToolResult, *runtime.TestReport, error) {
	timeout, err := s.timeoutOf(in.TimeoutSeconds)
	if err != nil {
		return nil, nil, err
	}
	raw, err := json.Marshal(in.TestCases)
	if err != nil {
		return nil, nil, fmt.Errorf("test_cases: %v", err)
	}
	cases, err := runtime.ParseCases(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("test_cases: %v", err)
	}
	policy, err := s.policyOf("")
	if err != nil {
		return nil, nil, err
	}
	cfg := runtime.TesterConfig{Function: in.Function, Timeout: timeout, MemoryLimit: s.cfg.Memory, Policy: &policy, Packages: s.cfg.Packages}
	if token := req.Params.GetProgressToken(); token != nil {
		cfg.Progress = func(finished, total int) {
			// A lost notification must not stop the run: the report says it all.
			_ = req.Session.NotifyProgress(ctx, &sdk.ProgressNotificationParams{
				ProgressToken: token, Progress: float64(finished), Total: float64(total),
				Message: fmt.Sprintf("%d of %d cases done", finished, total),
			})
		}
	}
	tester, err := runtime.NewEvalTester(s.cfg.Engine, cfg)
	if err != nil {
		return nil, nil, err
	}
	var rep *runtime.TestReport
	err = s.withSlot(ctx, func(ctx context.Context) error {
		rep, err = tester.Test(ctx, []byte(in.EvalCode), cases)
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the sandbox failed: %w", err)
	}
	return &sdk.CallToolResult{IsError: !rep.Success}, rep, nil
}
