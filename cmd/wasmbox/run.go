package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["run"] = command{"run a Python script or -c CODE in the sandbox", runCmd}
}

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "wasmbox run [flags] FILE [-- ARGS]\n       wasmbox run [flags] -c CODE [-- ARGS]", stderr)
	var lim limitFlags
	lim.register(fs, "wall-clock limit (Go duration: 5s, 500ms, 1m)")
	var det detFlags
	det.register(fs, "stop the program after this many units of executed work")
	code := fs.StringP("code", "c", "", "the program, as a string (instead of FILE)")
	stdinPath := fs.String("stdin", "", "file fed to the program's standard input (- = this process's stdin; default empty)")
	maxOutput := fs.String("max-output", "1MiB", "cap on each of stdout and stderr; the rest is dropped and flagged")
	asJSON := fs.Bool("json", false, "print one ExecResult JSON object instead of passing the streams through")
	server := fs.String("server", "", "hand the run to a running `wasmbox serve`: http://HOST:PORT or unix:PATH (key: $"+apiKeyEnv+")")
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}

	// The program: FILE or -c CODE, then its own arguments.
	var src []byte
	name, rest := "-c", fs.Args()
	if fs.Changed("code") {
		src = []byte(*code)
	} else {
		if len(rest) == 0 {
			return usageError(stderr, "run", "no program: give FILE or -c CODE")
		}
		name, rest = rest[0], rest[1:]
		var err error
		if src, err = os.ReadFile(name); err != nil {
			return usageError(stderr, "run", "cannot read the script: %v", err)
		}
	}
	cfg, policy, err := lim.sandboxConfig()
	if err != nil {
		return usageError(stderr, "run", "%v", err)
	}
	if det.budget < 0 {
		return usageError(stderr, "run", "--cpu-budget must not be negative, got %d", det.budget)
	}
	maxOut, err := parseSize(*maxOutput)
	if err != nil {
		return usageError(stderr, "run", "--max-output: %v", err)
	}
	cfg.MaxOutput = int64(maxOut)
	var stdin io.Reader
	switch *stdinPath {
	case "":
	case "-":
		stdin = os.Stdin
	default:
		f, err := os.Open(*stdinPath)
		if err != nil {
			return usageError(stderr, "run", "--stdin: %v", err)
		}
		defer f.Close()
		stdin = f
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if fs.Changed("server") {
		if len(rest) > 0 {
			return usageError(stderr, "run", "--server: the server's API takes no program arguments, got %q", rest)
		}
		if len(lim.packages) > 0 {
			return usageError(stderr, "run", "--server: a server runs with its own packages (wasmbox serve --packages), not --packages")
		}
		job, err := newServerJob(src, stdin, cfg, lim, det)
		if err != nil {
			return usageError(stderr, "run", "%v", err)
		}
		res, status, err := runOnServer(ctx, *server, job)
		if err != nil {
			fmt.Fprintf(stderr, "wasmbox run: %v\n", err)
			return status
		}
		if !*asJSON {
			io.WriteString(stdout, res.Stdout)
			io.WriteString(stderr, res.Stderr)
		}
		return showResult(stdout, stderr, name, res, cfg, det.budget, *asJSON)
	}
	engine, err := runtime.NewEngine(ctx, runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox run: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	defer engine.Close(ctx)
	runner, err := runtime.NewPythonRunner(engine, runtime.RunnerConfig{Sandbox: cfg, Policy: &policy})
	if err != nil {
		return usageError(stderr, "run", "%v", err)
	}
	opts := det.execOptions(runtime.ExecOptions{Stdin: stdin})
	if !*asJSON {
		opts.Stdout, opts.Stderr = stdout, stderr
	}
	res, err := runner.Run(ctx, src, rest, opts)
	if res == nil {
		fmt.Fprintf(stderr, "wasmbox run: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	return showResult(stdout, stderr, name, res, cfg, det.budget, *asJSON)
}

// showResult prints res as --json asks, or tells on stderr what the
// streams (already shown) do not, and returns the run's exit status.
func showResult(stdout, stderr io.Writer, name string, res *runtime.ExecResult, cfg runtime.SandboxConfig, budget int64, asJSON bool) int {
	if asJSON {
		if err := json.NewEncoder(stdout).Encode(res); err != nil {
			fmt.Fprintf(stderr, "wasmbox run: %v\n", err)
			return runtime.ExitSandboxFailure
		}
	} else {
		reportOutcome(stderr, name, res, cfg, budget)
	}
	return res.ExitCode
}

// reportOutcome tells, on stderr, what the streams alone do not show: the
// violations that stopped the run, a timeout, the memory limit, truncation.
// budget is the run's CPU budget.
func reportOutcome(stderr io.Writer, name string, res *runtime.ExecResult, cfg runtime.SandboxConfig, budget int64) {
	for _, v := range res.Violations {
		fmt.Fprintf(stderr, "%s:%d:%d: %s: %s\n", name, v.Line, v.Col, v.Rule, v.Message)
	}
	if res.TimedOut && !(budget > 0 && res.CPUUnits >= budget) { // the runtime reports a used budget
		fmt.Fprintf(stderr, "wasmbox: timed out after %v\n", cfg.Timeout)
	}
	if res.MemoryExceeded {
		fmt.Fprintf(stderr, "wasmbox: the program reached the memory limit of %d MiB\n", cfg.MemoryLimit>>20)
	}
	if res.StdoutTruncated || res.StderrTruncated {
		fmt.Fprintf(stderr, "wasmbox: output past %d bytes a stream was dropped\n", cfg.MaxOutput)
	}
}
