package runtime

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/wasmbox/wasmbox/internal/evaltest"
)

// testEach runs each case in an instance of its own, for deterministic
// tests and CPU budgets: a case's verdict then does not depend on the cases
// run before it, its budget is its own, and a replay of the case alone
// gives it again.
func (t *EvalTester) testEach(ctx context.Context, s *Sandbox, evalCode []byte, cases []TestCase) (*TestReport, error) {
	rep := &TestReport{Function: t.function, Cases: make([]CaseResult, 0, len(cases))}
	cfg := evaltest.Config{Function: t.function, Timeout: t.timeout}
	for i := range cases {
		var overBudget atomic.Bool
		one, err := evaltest.Run(ctx, cfg, cases[i:i+1], t.launcher(s, evalCode, &overBudget))
		if err != nil {
			return nil, err
		}
		if one.LoadError != nil {
			rep.Cases, rep.LoadError = nil, one.LoadError
			rep.Tally()
			return rep, nil
		}
		r := one.Cases[0]
		r.Index = i
		if overBudget.Load() && r.Status == evaltest.StatusError {
			r.Status = evaltest.StatusTimeout
			r.Error = &evaltest.ErrorInfo{Type: "Timeout", Message: fmt.Sprintf(budgetCaseMessage+" of %d units", t.det.CPUBudget)}
		}
		rep.Cases = append(rep.Cases, r)
		if t.progress != nil {
			t.progress(i+1, len(cases))
		}
	}
	rep.Tally()
	return rep, nil
}

// budgetCaseMessage starts the error message of a case stopped by its CPU
// budget.
const budgetCaseMessage = "the case used its CPU budget"

// Case statuses, as in TestReport.
const (
	StatusPass    = evaltest.StatusPass
	StatusTimeout = evaltest.StatusTimeout
	StatusError   = evaltest.StatusError
)

// ErrorInfo describes why a case or the loading failed.
type ErrorInfo = evaltest.ErrorInfo

// UsedBudget reports whether r is a case stopped by its CPU budget (rather
// than by its wall-clock timeout).
func UsedBudget(r CaseResult) bool {
	return r.Status == evaltest.StatusTimeout && r.Error != nil && strings.HasPrefix(r.Error.Message, budgetCaseMessage)
}
