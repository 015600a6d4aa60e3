package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["test"] = command{"run an eval function against labelled test cases", testCmd}
}

// Exit statuses of `wasmbox test` besides 0 and 2.
const (
	exitTestFailed = 1 // a case did not pass, or the eval code failed to load
)

// progressMinCases is the least number of cases for which a terminal gets a
// progress bar.
const progressMinCases = 20

func testCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("test", "wasmbox test --eval FILE --cases FILE [flags]", stderr)
	evalPath := fs.String("eval", "", "the Python file that defines the eval function (required)")
	casesPath := fs.String("cases", "", "the cases: a JSON array or JSON Lines of case objects (required)")
	function := fs.String("function", "evaluate", "the name of the function to test")
	var lim limitFlags
	lim.register(fs, "wall-clock limit of each case (Go duration: 5s, 500ms)")
	var det detFlags
	det.register(fs, "stop each case after this many units of executed work")
	asJSON := fs.Bool("json", false, "print the TestReport as JSON instead of the summary table")
	junitPath := fs.String("junit", "", "also write a JUnit XML report to this file")
	replayDir := fs.String("replay-dir", "", "write a replay bundle (wasmbox replay FILE) for each case that did not pass to this directory; needs --deterministic")
	noCache := fs.Bool("no-cache", false, "with --deterministic, run every case instead of taking results from the result cache")
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	switch {
	case *evalPath == "":
		return usageError(stderr, "test", "--eval FILE is required")
	case *casesPath == "":
		return usageError(stderr, "test", "--cases FILE is required")
	case fs.NArg() > 0:
		return usageError(stderr, "test", "unexpected argument %q", fs.Arg(0))
	case *replayDir != "" && !det.deterministic:
		return usageError(stderr, "test", "--replay-dir needs --deterministic: only a deterministic case replays")
	}
	code, err := os.ReadFile(*evalPath)
	if err != nil {
		return usageError(stderr, "test", "cannot read the eval code: %v", err)
	}
	var cases []runtime.TestCase
	err = runtime.ReadCasesFile(*casesPath, func(_ int, c runtime.TestCase) error {
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		return usageError(stderr, "test", "bad cases file: %v", err)
	}
	if _, _, err := lim.sandboxConfig(); err != nil { // loads --packages for the suite too
		return usageError(stderr, "test", "%v", err)
	}
	if det.budget < 0 {
		return usageError(stderr, "test", "--cpu-budget must not be negative, got %d", det.budget)
	}
	var junit *os.File
	if *junitPath != "" {
		if junit, err = os.Create(*junitPath); err != nil {
			return usageError(stderr, "test", "--junit: %v", err)
		}
		defer junit.Close()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := &suite{code: code, function: *function, lim: lim, det: det, cases: cases}
	bar := newProgressBar(stderr, len(cases))
	if bar != nil {
		s.progress = bar.update
	}
	var cache *resultCache
	if det.deterministic && !*noCache {
		cache = openResultCache(stderr)
	}
	rep, err := s.run(ctx, cache)
	bar.finish()
	var bad usageErr
	if errors.As(err, &bad) {
		return usageError(stderr, "test", "%v", err)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox test: %v\n", err)
		if errors.Is(err, context.Canceled) {
			return runtime.ExitCanceled
		}
		return runtime.ExitSandboxFailure
	}
	if *replayDir != "" {
		n, err := writeReplays(*replayDir, s, rep)
		if err != nil {
			fmt.Fprintf(stderr, "wasmbox test: writing replay bundles: %v\n", err)
			return runtime.ExitSandboxFailure
		}
		if n > 0 {
			fmt.Fprintf(stderr, "wasmbox test: wrote %d replay bundles to %s\n", n, *replayDir)
		}
	}
	if junit != nil {
		if err := runtime.WriteJUnit(junit, rep, ""); err != nil {
			fmt.Fprintf(stderr, "wasmbox test: writing %s: %v\n", *junitPath, err)
			return runtime.ExitSandboxFailure
		}
	}
	if *asJSON {
		err = json.NewEncoder(stdout).Encode(rep)
	} else {
		err = runtime.WriteSummary(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox test: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	if len(cases) == 0 {
		fmt.Fprintf(stderr, "wasmbox test: warning: %s holds no case\n", *casesPath)
	}
	switch {
	case len(rep.Violations) > 0:
		return runtime.ExitRejected
	case !rep.Success:
		return exitTestFailed
	}
	return exitOK
}

// progressBar draws `[=====     ] 12/40` on a terminal's stderr.
type progressBar struct {
	w     io.Writer
	total int
}

// newProgressBar returns a bar when w is a terminal and the run has many
// cases, or nil, whose methods do nothing.
func newProgressBar(w io.Writer, total int) *progressBar {
	f, ok := w.(*os.File)
	if !ok || total < progressMinCases {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressBar{w: w, total: total}
}

func (b *progressBar) update(finished, total int) {
	const width = 40
	filled := width * finished / max(total, 1)
	fmt.Fprintf(b.w, "\r[%-*s] %d/%d", width, strings.Repeat("=", filled), finished, total)
}

func (b *progressBar) finish() {
	if b != nil {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
