package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/sys"

	"github.com/wasmbox/wasmbox/internal/shell"
	"github.com/wasmbox/wasmbox/validate"
)

// ExecOptions adjusts one Exec. Zero fields take the sandbox's settings.
type ExecOptions struct {
	// Stdin is the program's standard input; nil means empty. A reader that
	// may block (a pipe, a terminal) is released at the timeout.
	Stdin io.Reader
	// Stdout and Stderr, when set, receive the program's output as it is
	// written (up to the output cap), besides the copy kept in the result.
	Stdout, Stderr io.Writer
	// Env adds to, and overrides, the sandbox's environment variables.
	Env map[string]string
	// Timeout, MemoryLimit and MaxOutput override the sandbox's limits.
	Timeout     time.Duration
	MemoryLimit uint64
	MaxOutput   int64
	// Policy, when set and not "none", runs the program under the in-guest
	// import guard for that policy. (The static check is PythonRunner's.)
	// The command is then `python3 FILE [ARGS]` or `python3 -c CODE [ARGS]`
	// alone, without the shell.
	Policy *validate.Policy
	// Dir is the shell's working directory, an absolute sandbox path that
	// must be a directory; "" is "/".
	Dir string
	// StreamOnly sends all of the program's output to Stdout and Stderr, with
	// no cap, and keeps none of it: the result's Stdout and Stderr are empty.
	StreamOnly bool
	// Deterministic runs the program deterministically (see
	// determinism.go): clocks that follow executed work, and randomness and
	// the string-hash key derived from Seed.
	Deterministic bool
	// Seed seeds a deterministic run; it is ignored otherwise.
	Seed uint64
	// CPUBudget, when positive, stops the program after that many units of
	// executed work (exit 124, TimedOut), whatever the host's load. See
	// budget.go for what a unit is.
	CPUBudget int64
}

// Exec runs the command line command in the sandbox's shell (see package
// internal/shell: POSIX sh with the core utilities, python3 as a wasm
// guest, each python3 a fresh interpreter instance) over the sandbox's
// filesystem, and waits for it to finish. One timeout covers the whole
// line. With opts.Policy set (and not "none"), command is `python3 FILE
// [ARGS]` or `python3 -c CODE [ARGS]`, split with shell quoting rules, and
// runs under the guard without a shell; any other program gives exit 127.
//
// The program's failures (exit status, timeout, memory limit, crash) are
// reported in the result, never as an error. The error is non-nil when the
// sandbox could not run the program (the result then has exit 125, or is nil
// when nothing was attempted), or when ctx was canceled by the caller (the
// result then has exit 130 and the output so far).
func (s *Sandbox) Exec(ctx context.Context, command string, opts ExecOptions) (*ExecResult, error) {
	s.mu.Lock()
	destroyed := s.destroyed
	s.mu.Unlock()
	if destroyed {
		return nil, ErrDestroyed
	}
	if opts.Policy == nil || !opts.Policy.Enabled() {
		return s.shellExec(ctx, command, func(ctx context.Context, cfg shell.Config) (int, error) {
			return shell.Run(ctx, cfg, command, "sh")
		}, opts)
	}
	argv, err := s.guestArgv(command, opts.Policy)
	return s.run(ctx, command, argv, err, opts)
}

// run runs the interpreter with argv; command is what the result names.
// argvErr, when set, says why the command cannot run: the result then has
// exit 127 and the reason on stderr.
func (s *Sandbox) run(ctx context.Context, command string, argv []string, argvErr error, opts ExecOptions) (*ExecResult, error) {
	cfg, err := s.execConfig(opts)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	stdout := &cappedBuffer{max: cfg.MaxOutput, live: opts.Stdout, streamOnly: opts.StreamOnly}
	stderr := &cappedBuffer{max: cfg.MaxOutput, live: opts.Stderr, streamOnly: opts.StreamOnly}
	res := &ExecResult{Command: command, Timestamp: start.UTC(), Violations: []validate.Violation{}}
	finish := func() {
		res.Stdout, res.StdoutTruncated = stdout.result()
		res.Stderr, res.StderrTruncated = stderr.result()
		res.Success = res.ExitCode == 0
		res.Duration = float64(time.Since(start).Microseconds()) / 1000
	}
	defer finish()
	if argvErr != nil {
		fmt.Fprintf(stderr, "wasmbox: %v\n", argvErr)
		res.ExitCode = ExitNotFound
		return res, nil
	}

	if opts.CPUBudget < 0 {
		return nil, fmt.Errorf("wasmbox: the CPU budget must not be negative, got %d", opts.CPUBudget)
	}
	j := s.newJob(cfg, argv, cfg.Env, opts.Stdin, stdout, stderr, opts.Deterministic, opts.Seed)
	j.budget = opts.CPUBudget
	if userArgv, err := SplitCommand(command); err == nil {
		j.preload = s.preloadFor(userArgv, "/", opts.Policy)
	}
	runErr, stopped, alloc, work := s.engine.runJob(ctx, j, func() { start = time.Now() })
	res.MemoryExceeded = alloc.exceeded.Load()
	res.CPUUnits = work
	if errors.Is(stopped, errBudget) {
		reportBudget(stderr, j.budget)
	}
	return res, classify(ctx, stopped, runErr, res, stderr)
}

// runJob runs j in a warm instance if one is ready and can take it, else in
// one restored from the snapshot, else in a fresh one. started is called
// when the job's own time starts: at handover for a warm instance.
// It returns how the instance ended (InstantiateModule's error), why it was
// stopped early if it was, its allocator and the units of work the job used.
// A deterministic job runs as runDeterministic says.
func (e *Engine) runJob(ctx context.Context, j job, started func()) (err, stopped error, alloc *limitedAllocator, work int64) {
	if variant := e.variantOf(ctx, j); variant != nil {
		j.preload = false
		return variant.runJob(ctx, j, started)
	}
	j.env = j.pkgs.pythonPath(j.env)
	if j.deterministic {
		return e.runDeterministic(ctx, j, started)
	}
	if warm := warmArgv(j.argv); warm != nil && !configuresInterpreter(j.env) {
		wj := j
		wj.argv = warm
		for w := e.pool.take(); w != nil; w = e.pool.take() {
			started()
			if err, stopped, ok := w.run(ctx, wj); ok {
				e.stats.warmServed.Add(1)
				return err, stopped, w.alloc, w.work()
			}
		}
		// None ready: restore one from the snapshot, if the job's memory
		// limit holds it. Its restoring counts as the job's time.
		if e.snap != nil && e.snap.size <= j.memoryLimit {
			w := e.startWarm(ctx)
			if err, stopped, ok := w.run(ctx, wj); ok {
				return err, stopped, w.alloc, w.work()
			}
		}
	}
	return e.runFresh(ctx, j, newGuestClock(clockOrigin))
}

// runFresh runs j in a fresh instance whose clock is clk; it returns what
// runJob does.
func (e *Engine) runFresh(ctx context.Context, j job, clk *guestClock) (err, stopped error, alloc *limitedAllocator, work int64) {
	st := newInstanceState(j.maxOpenFiles)
	alloc = newAllocator(j.memoryLimit)
	timeoutCtx, cancelTimeout := context.WithTimeout(withMemoryWatch(withInstance(withClock(ctx, clk), st), alloc), j.timeout)
	defer cancelTimeout()
	runCtx, cancel := context.WithCancelCause(timeoutCtx)
	defer cancel(nil)
	alloc.stop = func() { cancel(errMemoryKilled) }
	clk.startJob(j.budget, cancel)
	stdin := guestStdin(runCtx, j.input(alloc))
	dev := devices{random: clk.randomSource(), stdin: stdin, stdout: j.stdout, stderr: j.stderr}
	mcfg := e.moduleConfig(j.argv, j.env, clk).
		WithStdin(stdin).
		WithStdout(j.stdout).
		WithStderr(j.stderr).
		WithFSConfig(e.fsConfig(&instanceFS{FS: rootFS(j.fs, j.pkgs, dev), st: st}))
	err = e.instantiate(runCtx, alloc, mcfg, nil)
	return err, context.Cause(runCtx), alloc, clk.jobWork()
}

// execConfig merges the sandbox's settings with opts.
func (s *Sandbox) execConfig(opts ExecOptions) (SandboxConfig, error) {
	cfg := s.cfg
	if opts.Timeout != 0 {
		cfg.Timeout = opts.Timeout
	}
	if opts.MemoryLimit != 0 {
		cfg.MemoryLimit = opts.MemoryLimit
	}
	if opts.MaxOutput != 0 {
		cfg.MaxOutput = opts.MaxOutput
	}
	if len(opts.Env) > 0 {
		cfg.Env = maps.Clone(cfg.Env)
		if cfg.Env == nil {
			cfg.Env = map[string]string{}
		}
		maps.Copy(cfg.Env, opts.Env)
	}
	return cfg.withDefaults(s.engine)
}

// guestArgv turns command into the interpreter's argv, under the guard when
// policy asks for one. Without a policy, the interpreter gets the command's
// own argv (all of python3's options work then).
func (s *Sandbox) guestArgv(command string, policy *validate.Policy) ([]string, error) {
	argv, err := SplitCommand(command)
	if err != nil {
		return nil, err
	}
	if len(argv) == 0 {
		return nil, errors.New("empty command: only python3 runs in this sandbox")
	}
	if !IsPython(argv[0]) {
		return nil, fmt.Errorf("%s: command not found: only python3 runs in this sandbox", argv[0])
	}
	argv[0] = "python3"
	if policy == nil || !policy.Enabled() {
		return argv, nil
	}
	mode, target, args, err := scriptTarget(argv)
	if err != nil {
		return nil, err
	}
	return s.engine.guardConfig(s.cfg.Packages).Argv(*policy, mode, target, args), nil
}

// newJob is a job that runs argv over the sandbox's files and cfg's
// packages under cfg's limits (open files, memory, timeout), with env and the standard streams,
// deterministically with seed if deterministic is set.
func (s *Sandbox) newJob(cfg SandboxConfig, argv []string, env map[string]string, stdin io.Reader, stdout, stderr io.Writer, deterministic bool, seed uint64) job {
	return job{
		argv: argv, env: env, stdin: stdin, stdout: stdout, stderr: stderr,
		fs: s.fs, pkgs: cfg.Packages, maxOpenFiles: cfg.MaxOpenFiles, memoryLimit: cfg.MemoryLimit, timeout: cfg.Timeout,
		deterministic: deterministic, seed: seed,
	}
}

// classify sets res.ExitCode (and TimedOut) from how the instance ended
// (err, and stopped: why it was stopped early, if it was) and returns the
// error Exec reports, if any.
func classify(ctx context.Context, stopped, err error, res *ExecResult, stderr io.Writer) error {
	var exit *sys.ExitError
	switch {
	// A stopped instance may still end cleanly: its sleep or read was cut
	// short, and it had no loop left to trap in.
	case stopped != nil && errors.Is(ctx.Err(), context.Canceled):
		res.ExitCode = ExitCanceled
		return fmt.Errorf("wasmbox: execution canceled: %w", ctx.Err())
	case errors.Is(stopped, context.DeadlineExceeded), errors.Is(stopped, errBudget):
		res.TimedOut = true
		res.ExitCode = ExitTimeout
	case errors.Is(stopped, errMemoryKilled):
		res.MemoryExceeded = true
		res.ExitCode = ExitMemory
		fmt.Fprintln(stderr, "wasmbox: stopped: the program kept failing to grow its memory past the limit, or kept running long after it first failed")
	case stopped != nil:
		res.ExitCode = ExitSandboxFailure
		return stopped
	case err == nil:
		res.ExitCode = 0
	case errors.As(err, &exit):
		res.ExitCode = int(exit.ExitCode())
	case res.MemoryExceeded:
		res.ExitCode = ExitMemory
	case strings.Contains(err.Error(), "wasm error:"):
		// A trap: the program crashed. Deep recursion in C code overflows
		// the guest's stack into an out-of-bounds access.
		msg, _, _ := strings.Cut(err.Error(), "\n")
		fmt.Fprintf(stderr, "wasmbox: the program crashed: %s\n", msg[strings.Index(msg, "wasm error:"):])
		res.ExitCode = ExitCrashed
	default:
		res.ExitCode = ExitSandboxFailure
		return fmt.Errorf("wasmbox: starting the interpreter: %w", err)
	}
	if res.MemoryExceeded && res.ExitCode != 0 && !res.TimedOut {
		res.ExitCode = ExitMemory
	}
	return nil
}

// configuresInterpreter reports whether env sets a PYTHON* variable. Those
// take effect when the interpreter starts, so such a job cannot run in a
// warm instance, which started before the job existed. PYTHONPATH is the
// exception: warm.py puts its entries on sys.path as a start would.
func configuresInterpreter(env map[string]string) bool {
	for k := range env {
		if strings.HasPrefix(k, "PYTHON") && k != "PYTHONPATH" {
			return true
		}
	}
	return false
}

// noPolicy is the policy "none": isolation only.
var noPolicy = func() validate.Policy {
	p, err := validate.PolicyByName("none")
	if err != nil {
		panic(err)
	}
	return p
}()

// sortedKeys returns m's keys in order, so guest environments are
// deterministic.
func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
