package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	goruntime "runtime"
	"strings"
	"syscall"

	"github.com/wasmbox/wasmbox/internal/bench"
	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["bench"] = command{"measure wasmbox against native python3 on fixed workloads", benchCmd}
}

// exitBenchFailed is the status of `wasmbox bench` when a run failed or the
// benchmark could not run.
const exitBenchFailed = 1

// benchCmd runs the benchmark and prints a table, or the report as JSON
// (shape: bench.Report). Exit 0 done, 1 a run failed, 2 usage error, 130
// interrupted.
func benchCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", "wasmbox bench [--runs N] [--workloads LIST] [--concurrency N] [--contexts=false] [--cli-server=false] [--server ADDR] [--python PATH] [--json]", stderr)
	runs := fs.Int("runs", 20, "measured runs per workload and variant one at a time; then max(N, --concurrency) runs at --concurrency")
	workloads := fs.String("workloads", strings.Join(bench.WorkloadNames(), ","), "comma-separated workloads to run")
	concurrency := fs.Int("concurrency", goruntime.NumCPU(), "runs in flight at once in the concurrent measurement")
	contexts := fs.Bool("contexts", true, "also measure code contexts: create, run, fork, save and resume")
	python := fs.String("python", "", "the native python3 to compare with (default: python3 on PATH); the numpy workloads need one that has numpy")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	cliServer := fs.Bool("cli-server", true, "also measure wasmbox run --server (wasmbox-cli-server)")
	server := fs.String("server", "", "the wasmbox serve that wasmbox-cli-server sends its runs to: http://HOST:PORT or unix:PATH (default: one started on a temporary unix socket)")
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	var names []string
	for _, n := range strings.Split(*workloads, ",") {
		if n = strings.TrimSpace(n); n == "" {
			return usageError(stderr, "bench", "--workloads %q: empty workload name", *workloads)
		}
		names = append(names, n)
	}
	switch {
	case fs.NArg() > 0:
		return usageError(stderr, "bench", "unexpected argument %q", fs.Arg(0))
	case *runs < 1:
		return usageError(stderr, "bench", "--runs %d: must be at least 1", *runs)
	case *concurrency < 1:
		return usageError(stderr, "bench", "--concurrency %d: must be at least 1", *concurrency)
	}
	if _, err := bench.SelectWorkloads(names); err != nil {
		return usageError(stderr, "bench", "--workloads: %v", err)
	}

	if fs.Changed("server") {
		if _, _, err := serverEndpoint(*server); err != nil {
			return usageError(stderr, "bench", "%v", err)
		}
	}
	cfg := bench.Config{Runs: *runs, Concurrency: *concurrency, Workloads: names, Contexts: *contexts, CLIServer: *cliServer, Server: *server, Python: *python}
	if exe, err := os.Executable(); err == nil {
		cfg.CLI = exe
	} else {
		fmt.Fprintf(stderr, "wasmbox bench: warning: cannot find this executable, skipping wasmbox-cli: %v\n", err)
	}
	bar := newBenchBar(stderr)
	if bar != nil {
		cfg.Progress = bar.update
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := bench.Run(ctx, cfg)
	bar.finish()
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox %v\n", err)
		if errors.Is(err, context.Canceled) {
			return runtime.ExitCanceled
		}
		return exitBenchFailed
	}
	if *asJSON {
		err = json.NewEncoder(stdout).Encode(rep)
	} else {
		err = bench.WriteTable(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox bench: %v\n", err)
		return exitBenchFailed
	}
	return exitOK
}

// benchBar draws `[=====     ] 12/240 hello wasmbox` on a terminal's stderr.
type benchBar struct {
	w io.Writer
}

// newBenchBar returns a bar when w is a terminal, or nil, whose finish does
// nothing.
func newBenchBar(w io.Writer) *benchBar {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &benchBar{w: w}
}

func (b *benchBar) update(done, total int, label string) {
	const width = 30
	filled := width * done / max(total, 1)
	fmt.Fprintf(b.w, "\r[%-*s] %d/%d %s\033[K", width, strings.Repeat("=", filled), done, total, label)
}

func (b *benchBar) finish() {
	if b != nil {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
