package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// cliVariant runs the wasmbox binary as a subprocess per run, so that each
// run pays the whole cold start: the process, loading the compiled
// interpreter from the cache, and the instance.
type cliVariant struct {
	bin string
}

func (cliVariant) Name() string { return "wasmbox-cli" }

func (cliVariant) Description() string {
	return "wasmbox run FILE, a subprocess per run, cold start included (eval100: wasmbox test)"
}

func (v cliVariant) Prepare(_ context.Context, w *Workload) (RunFunc, error) {
	if w.Eval != nil {
		check := expectReport(len(w.Eval.Cases))
		return func(ctx context.Context) error {
			return runProcess(ctx, check, v.bin, "test", "--json", "--eval", w.files.eval, "--cases", w.files.cases)
		}, nil
	}
	check := expectStdout(w.Stdout)
	timeout := runTimeout.String()
	args := []string{"run", "--timeout", timeout}
	if len(w.AllowImports) > 0 {
		args = append(args, "--allow-import", strings.Join(w.AllowImports, ","))
	}
	args = append(args, w.files.script)
	return func(ctx context.Context) error {
		return runProcess(ctx, check, v.bin, args...)
	}, nil
}

// expectReport returns a check that stdout is a TestReport in which all of
// total cases passed.
func expectReport(total int) func(string) error {
	return func(stdout string) error {
		var rep struct {
			Success bool `json:"success"`
			Total   int  `json:"total"`
			Passed  int  `json:"passed"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			return fmt.Errorf("wasmbox test printed no report: %v: %q", err, clip(stdout))
		}
		if !rep.Success || rep.Total != total || rep.Passed != total {
			return fmt.Errorf("%d of %d cases passed, want all of %d", rep.Passed, rep.Total, total)
		}
		return nil
	}
}
