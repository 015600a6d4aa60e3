package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// cliVariant runs the wasmbox binary as a subprocess per run, so that each
// run pays the whole cold start: the process, loading the compiled
// interpreter from the cache, and the instance. With server set, the
// process hands the run to that `wasmbox serve` instead (run --server):
// the cold start is the process and a request.
type cliVariant struct {
	bin    string
	server string // --server's address, or "" for a local run
	where  string // where server is, in words
}

func (v cliVariant) Name() string {
	if v.server != "" {
		return "wasmbox-cli-server"
	}
	return "wasmbox-cli"
}

func (v cliVariant) Description() string {
	if v.server != "" {
		return "wasmbox run --server ADDR FILE, a subprocess per run handing the job to " + v.where + " (no eval100: wasmbox test has no --server)"
	}
	return "wasmbox run FILE, a subprocess per run, cold start included (eval100: wasmbox test)"
}

// Skips tells that `wasmbox test`, which eval100 runs, has no --server.
func (v cliVariant) Skips(w *Workload) bool { return v.server != "" && w.Eval != nil }

func (v cliVariant) Prepare(_ context.Context, w *Workload) (RunFunc, error) {
	if w.Eval != nil {
		check := expectReport(len(w.Eval.Cases))
		return func(ctx context.Context) error {
			return runProcess(ctx, check, v.bin, "test", "--json", "--eval", w.files.eval, "--cases", w.files.cases)
		}, nil
	}
	check := expectStdout(w.Stdout)
	args := []string{"run", "--timeout", runTimeout.String()}
	if v.server != "" {
		args = append(args, "--server", v.server)
	}
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
