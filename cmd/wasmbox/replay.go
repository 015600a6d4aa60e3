package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["replay"] = command{"re-run a case from a replay bundle (wasmbox test --replay-dir) and compare", replayCmd}
}

// replayFormat names the replay bundle's format.
const replayFormat = "wasmbox-replay-1"

// replayBundle is a case that did not pass in a deterministic test, with
// everything it takes to run it again and the result it had.
type replayBundle struct {
	Format  string       `json:"format"`
	Wasmbox string       `json:"wasmbox"`
	Sums    runtime.Sums `json:"sums"`
	caseInputs
	Result runtime.CaseResult `json:"result"`
}

// writeReplays writes a bundle to dir for each case of rep that did not
// pass: case-N.json, N the case's 1-based index. It returns how many.
func writeReplays(dir string, s *suite, rep *runtime.TestReport) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	n := 0
	for i, r := range rep.Cases {
		if r.Status == runtime.StatusPass {
			continue
		}
		b, err := json.MarshalIndent(replayBundle{Format: replayFormat, Wasmbox: version, Sums: runtime.EmbeddedSums(), caseInputs: s.inputs(i), Result: r}, "", "  ")
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("case-%d.json", i+1)), append(b, '\n'), 0o644); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// readReplay reads and checks a bundle, and returns it with the suite that
// runs its case.
func readReplay(path string) (*replayBundle, *suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var b replayBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, nil, fmt.Errorf("%s is not a replay bundle: %w", path, err)
	}
	if b.Format != replayFormat {
		return nil, nil, fmt.Errorf("%s: format %q, want %q", path, b.Format, replayFormat)
	}
	caseJSON, err := json.Marshal([]caseObject{b.Case})
	if err != nil {
		return nil, nil, err
	}
	cases, err := runtime.ParseCases(caseJSON)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bad case: %w", path, err)
	}
	s := &suite{
		code: []byte(b.EvalCode), function: b.Function, cases: cases,
		lim: limitFlags{timeout: time.Duration(b.TimeoutMs) * time.Millisecond, memory: b.Memory, policy: b.Policy, allowImport: b.AllowImports, packages: b.Packages},
		det: detFlags{deterministic: true, seed: b.Seed, budget: b.CPUBudget},
	}
	if _, _, err := s.lim.sandboxConfig(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if got := s.lim.loaded.Sum(); got != b.PackagesSum {
		return nil, nil, fmt.Errorf("%s: the packages %q do not hold what the recorded run's did (sum %s, recorded %s)", path, b.Packages, got, b.PackagesSum)
	}
	if s.det.budget < 0 {
		return nil, nil, fmt.Errorf("%s: cpuBudget must not be negative, got %d", path, s.det.budget)
	}
	return &b, s, nil
}

func replayCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("replay", "wasmbox replay FILE", stderr)
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	if fs.NArg() != 1 {
		return usageError(stderr, "replay", "want one replay bundle FILE")
	}
	b, s, err := readReplay(fs.Arg(0))
	if err != nil {
		return usageError(stderr, "replay", "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := s.run(ctx, nil)
	var bad usageErr
	switch {
	case errors.As(err, &bad):
		return usageError(stderr, "replay", "%v", err)
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "wasmbox replay: %v\n", err)
		return runtime.ExitCanceled
	case err != nil:
		fmt.Fprintf(stderr, "wasmbox replay: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	var now runtime.CaseResult
	switch {
	case rep.LoadError != nil:
		now = runtime.CaseResult{Name: b.Result.Name, Status: runtime.StatusError, Error: rep.LoadError}
	case len(rep.Violations) > 0:
		now = runtime.CaseResult{Name: b.Result.Name, Status: runtime.StatusError, Error: &runtime.ErrorInfo{Type: "Rejected", Message: rep.Violations[0].Message}}
	default:
		now = rep.Cases[0]
	}
	if sameResult(b.Result, now) {
		fmt.Fprintf(stdout, "%s: %s, as recorded\n", b.Result.Name, describe(now))
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: the result differs\n  recorded: %s\n  now:      %s\n", b.Result.Name, describe(b.Result), describe(now))
	for _, d := range sumDifferences(b) {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	return exitTestFailed
}

// sameResult reports whether two results of a case agree in all but time.
func sameResult(a, b runtime.CaseResult) bool {
	a.Duration, b.Duration = 0, 0
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// describe is a result in one line.
func describe(r runtime.CaseResult) string {
	s := string(r.Status)
	if r.Actual != nil {
		s += " actual=" + string(r.Actual)
	}
	if r.Error != nil {
		s += fmt.Sprintf(" %s: %s", r.Error.Type, r.Error.Message)
	}
	if r.Stdout != "" {
		s += fmt.Sprintf(" stdout=%q", r.Stdout)
	}
	return s
}

// sumDifferences says which of b's sums differ from this binary's.
func sumDifferences(b *replayBundle) []string {
	now := runtime.EmbeddedSums()
	var d []string
	if b.Wasmbox != version {
		d = append(d, fmt.Sprintf("wasmbox version differs: bundle %s, this binary %s", b.Wasmbox, version))
	}
	if b.Sums.Interpreter != now.Interpreter {
		d = append(d, fmt.Sprintf("interpreter sum differs: bundle %s, this binary %s", b.Sums.Interpreter, now.Interpreter))
	}
	if b.Sums.Engine != now.Engine {
		d = append(d, fmt.Sprintf("engine sum differs: bundle %s, this binary %s", b.Sums.Engine, now.Engine))
	}
	if len(d) == 0 {
		d = append(d, "the sums are the same: the difference is not wasmbox's or the interpreter's (please report it)")
	}
	return d
}
