package runtime

import (
	"context"
	"time"

	"github.com/wasmbox/wasmbox/validate"
)

// RunnerConfig configures a PythonRunner.
type RunnerConfig struct {
	// Sandbox sets the limits of each run.
	Sandbox SandboxConfig
	// Policy is checked statically before a run and enforced in the guest
	// during it. Nil means the strict policy.
	Policy *validate.Policy
}

// PythonRunner runs one piece of Python code in a sandbox of its own,
// destroyed when the run ends. It is safe for concurrent use.
type PythonRunner struct {
	engine *Engine
	cfg    RunnerConfig
	policy validate.Policy
}

// NewPythonRunner returns a runner on engine.
func NewPythonRunner(engine *Engine, cfg RunnerConfig) (*PythonRunner, error) {
	r := &PythonRunner{engine: engine, cfg: cfg}
	if cfg.Policy != nil {
		r.policy = *cfg.Policy
	} else {
		p, err := validate.PolicyByName("strict")
		if err != nil {
			return nil, err
		}
		r.policy = p
	}
	if _, err := cfg.Sandbox.withDefaults(engine); err != nil {
		return nil, err
	}
	return r, nil
}

// Policy returns the policy the runner enforces.
func (r *PythonRunner) Policy() validate.Policy { return r.policy }

// Check runs the policy's static check on code and returns its violations,
// empty when the code may run.
func (r *PythonRunner) Check(code []byte) []validate.Violation {
	return validate.Check(code, r.policy)
}

// Reject runs the policy's static check on code and, when it finds
// violations, returns the result Run gives for it: exit 126 and the
// violations, with nothing run. It returns nil when code may run.
func (r *PythonRunner) Reject(code []byte, args []string) *ExecResult {
	v := r.Check(code)
	if len(v) == 0 {
		return nil
	}
	return &ExecResult{ExitCode: ExitRejected, Command: runCommand(args), Timestamp: time.Now().UTC(), Violations: v}
}

// runCommand is the command Run executes for args.
func runCommand(args []string) string {
	return QuoteCommand(append([]string{"python3", ScriptPath}, args...))
}

// Run checks code against the policy; if it passes, writes it to ScriptPath
// in a new sandbox and runs `python3 ScriptPath ARGS` there under the
// in-guest guard. Rejected code never starts an instance: the result has
// exit 126 and the violations. The sandbox is destroyed however Run ends.
// opts.Policy is ignored: the runner's policy applies.
func (r *PythonRunner) Run(ctx context.Context, code []byte, args []string, opts ExecOptions) (*ExecResult, error) {
	if res := r.Reject(code, args); res != nil {
		return res, nil
	}
	command := runCommand(args)
	s, err := r.engine.NewSandbox(r.cfg.Sandbox)
	if err != nil {
		return nil, err
	}
	defer s.Destroy()
	if opts.Deterministic {
		s.fs.clock.freeze()
	}
	if err := s.WriteFile(ScriptPath, code); err != nil {
		return nil, err
	}
	opts.Policy = &r.policy
	return s.Exec(ctx, command, opts)
}
