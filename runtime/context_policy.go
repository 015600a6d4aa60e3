package runtime

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wasmbox/wasmbox/validate"
)

// A code context's policy (ContextOptions.Policy) holds for its whole life.
// The guard it runs under is armed once, when the context starts, and
// cannot be disarmed: its state lives in the interpreter's linear memory,
// so a fork, and a context resumed from a save, are guarded as the context
// was. Each cell is compiled through the guard's transform (its code marked
// as the guest's, see internal/guard/boot.py's compile_cell) and, unless
// ContextOptions.SkipStaticCheck is set, checked statically first.

// ErrPolicyMismatch matches a PolicyMismatchError with errors.Is.
var ErrPolicyMismatch = errors.New("the run's policy is not the context's")

// PolicyMismatchError refuses a Run whose RunOptions.Policy is not the one
// its context was created with: a context's guard cannot change.
type PolicyMismatchError struct {
	// Context and Run describe the two policies: a name, and the imports
	// allowed beyond the policy's own list, if any.
	Context, Run string
}

// Error names the context's policy and the one asked for.
func (e *PolicyMismatchError) Error() string {
	return fmt.Sprintf("wasmbox: the context runs under the %s policy, fixed when it was created; a run under the %s policy was refused: create a context with that policy for it", e.Context, e.Run)
}

// Is makes errors.Is(err, ErrPolicyMismatch) hold.
func (e *PolicyMismatchError) Is(target error) bool { return target == ErrPolicyMismatch }

// CheckPolicy returns nil when p is the policy the context runs under
// (nil there, or "none", is none), else the *PolicyMismatchError that Run
// with RunOptions.Policy p fails with.
func (c *Context) CheckPolicy(p validate.Policy) error {
	if own := *c.opts.Policy; !samePolicy(own, p) {
		return &PolicyMismatchError{Context: describePolicy(own), Run: describePolicy(p)}
	}
	return nil
}

// contextPolicy is the policy a context runs under: p, or none when nil.
func contextPolicy(p *validate.Policy) validate.Policy {
	if p == nil || !p.Enabled() {
		return noPolicy
	}
	return *p
}

// samePolicy reports whether a and b hold code to the same rules.
func samePolicy(a, b validate.Policy) bool {
	if !a.Enabled() || !b.Enabled() {
		return a.Enabled() == b.Enabled()
	}
	return a.Name() == b.Name() && slices.Equal(a.AllowedModules(), b.AllowedModules())
}

// describePolicy names p for messages: "strict", or "strict (allowing
// also numpy)" when imports were allowed beyond its own list.
func describePolicy(p validate.Policy) string {
	if !p.Enabled() {
		return "none"
	}
	base, err := validate.PolicyByName(p.Name())
	if err != nil {
		return p.Name()
	}
	var extra []string
	for _, m := range p.AllowedModules() {
		if !slices.Contains(base.AllowedModules(), m) {
			extra = append(extra, m)
		}
	}
	if len(extra) == 0 {
		return p.Name()
	}
	return p.Name() + " (allowing also " + strings.Join(extra, ", ") + ")"
}

// RejectCell runs the static check of policy over a cell's code, as a
// guarded context does before each cell. It returns nil when the cell may
// run, else the Execution of a cell that did not run: its error names the
// violations, PolicyViolation, or SyntaxError when the check could not
// parse the cell. Its ExecutionCount is zero: the caller knows the count.
func RejectCell(code string, policy validate.Policy) *Execution {
	v := validate.Check([]byte(code), policy)
	if len(v) == 0 {
		return nil
	}
	lines := make([]string, len(v))
	name := "SyntaxError"
	for i, one := range v {
		lines[i] = fmt.Sprintf("line %d, column %d: %s", one.Line, one.Col, one.Message)
		if one.Rule != validate.RuleSyntaxError {
			name = "PolicyViolation"
		}
	}
	return &Execution{
		Code: code, Logs: Logs{Stdout: []string{}, Stderr: []string{}}, Results: []Result{},
		Error: &ExecutionError{
			Name:       name,
			Message:    fmt.Sprintf("the %s import policy rejected the cell, which did not run: %s", policy.Name(), lines[0]),
			Traceback:  lines,
			LineNumber: v[0].Line,
		},
	}
}
