package runtime

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmbox/wasmbox/internal/shell"
	"github.com/wasmbox/wasmbox/internal/shell/coreutils"
	"github.com/wasmbox/wasmbox/validate"
)

// ExecArgv runs argv in the sandbox as the bridge's exec does: ["sh", "-c",
// SCRIPT] and ["bash", "-lc", SCRIPT] run SCRIPT in the shell, and any
// other argv runs as one command, its words taken literally. The result and
// error are as Exec's.
func (s *Sandbox) ExecArgv(ctx context.Context, argv []string, opts ExecOptions) (*ExecResult, error) {
	if len(argv) == 0 {
		return nil, errors.New("wasmbox: empty argv")
	}
	return s.shellExec(ctx, QuoteCommand(argv), func(ctx context.Context, cfg shell.Config) (int, error) {
		return shell.RunArgv(ctx, cfg, argv)
	}, opts)
}

// shellExec runs a command line in the shell over the sandbox's filesystem,
// under one timeout; run starts the shell. command is what the result
// names.
func (s *Sandbox) shellExec(ctx context.Context, command string, run func(context.Context, shell.Config) (int, error), opts ExecOptions) (*ExecResult, error) {
	s.mu.Lock()
	destroyed := s.destroyed
	s.mu.Unlock()
	if destroyed {
		return nil, ErrDestroyed
	}
	cfg, err := s.execConfig(opts)
	if err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		dir = "/"
	}
	if !strings.HasPrefix(dir, "/") {
		return nil, fmt.Errorf("wasmbox: working directory %q is not an absolute path", dir)
	}
	if st, errno := s.fs.Stat(path.Clean(dir)); errno != 0 || !st.Mode.IsDir() {
		return nil, fmt.Errorf("wasmbox: working directory %s is not a directory in the sandbox", dir)
	}
	start := time.Now()
	stdout := &cappedBuffer{max: cfg.MaxOutput, live: opts.Stdout, streamOnly: opts.StreamOnly}
	stderr := &cappedBuffer{max: cfg.MaxOutput, live: opts.Stderr, streamOnly: opts.StreamOnly}
	res := &ExecResult{Command: command, Timestamp: start.UTC(), Violations: []validate.Violation{}}
	defer func() {
		res.Stdout, res.StdoutTruncated = stdout.result()
		res.Stderr, res.StderrTruncated = stderr.result()
		res.Success = res.ExitCode == 0
		res.Duration = float64(time.Since(start).Microseconds()) / 1000
	}()

	// A command line that is one python3 run needing the preloaded
	// variant has it made first (compiling its module, taking its
	// snapshot: seconds, once): host set-up, not the command's time.
	if s.lineNeedsPreload(command, dir) {
		s.engine.variant(ctx)
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if opts.CPUBudget < 0 {
		return nil, fmt.Errorf("wasmbox: the CPU budget must not be negative, got %d", opts.CPUBudget)
	}
	stages := &pythonStages{deterministic: opts.Deterministic, seed: opts.Seed, budget: opts.CPUBudget}
	random := shellRandom(opts)
	cmds := coreutils.Commands(coreutils.Config{Rand: random})
	py := s.pythonCommand(cfg, stages)
	for name := range pythonNames {
		cmds[name] = py
	}
	status, runErr := run(runCtx, shell.Config{
		FS: rootFS(s.fs, cfg.Packages, devices{random: random}), Dir: dir, Env: envList(cfg.Env),
		Stdin: opts.Stdin, Stdout: stdout, Stderr: stderr, Commands: cmds,
	})
	res.ExitCode = status
	res.MemoryExceeded = stages.memHit.Load()
	res.CPUUnits = stages.work.Load()
	switch {
	case ctx.Err() != nil:
		res.ExitCode = ExitCanceled
		return res, fmt.Errorf("wasmbox: execution canceled: %w", ctx.Err())
	case errors.Is(runErr, context.DeadlineExceeded), stages.budgetHit.Load():
		res.TimedOut = true
		res.ExitCode = ExitTimeout
	}
	return res, nil
}

// envList turns an environment map into "NAME=value" entries, sorted.
func envList(env map[string]string) []string {
	list := make([]string, 0, len(env))
	for _, k := range sortedKeys(env) {
		list = append(list, k+"="+env[k])
	}
	return list
}

// pythonStages is what the python3 runs of one command line share: the
// determinism options, the CPU budget (each run gets what the earlier ones
// left), and what they report back.
type pythonStages struct {
	deterministic bool
	seed          uint64
	budget        int64 // units of work for the whole command line; 0 for none

	work      atomic.Int64 // units of work used so far
	memHit    atomic.Bool  // a run reached the memory limit
	budgetHit atomic.Bool  // a run used up the budget
}

// shellRandom is what the shell's utilities read from /dev/random and
// /dev/urandom (`head -c 8 /dev/urandom`) and mktemp's names come from:
// under Deterministic a stream seeded like the python3 runs', else
// crypto/rand. Pipeline stages may read it at once: it is locked.
func shellRandom(opts ExecOptions) io.Reader {
	if !opts.Deterministic {
		return rand.Reader
	}
	return &lockedReader{r: newVirtualClock(0, opts.Seed, "shell").randomSource()}
}

// lockedReader serialises reads of r.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// lineNeedsPreload reports, before a command line's timeout starts,
// whether one of its python3 runs will need the preloaded variant while it
// is not made yet: a simple `python3 FILE|-c CODE` line as preloadFor
// says, or any line naming a module of the preload set or a .py file that
// imports one. Making the variant early is host set-up (seconds, once); a
// line this misses makes it on first need, inside its own time.
func (s *Sandbox) lineNeedsPreload(command, dir string) bool {
	e := s.engine
	if !e.preloadAllowed(nil) || e.preload.current() != nil || !strings.Contains(command, "python") {
		return false
	}
	if argv, err := SplitCommand(command); err == nil && len(argv) > 0 && IsPython(argv[0]) {
		return s.preloadFor(argv, dir, nil)
	}
	for _, m := range e.preload.mods {
		if strings.Contains(command, m) {
			return true
		}
	}
	for _, word := range strings.Fields(command) {
		if word = strings.Trim(word, `"';&|()`); strings.HasSuffix(word, ".py") && s.preloadFor([]string{"python3", word}, dir, nil) {
			return true
		}
	}
	return false
}

// pythonCommand is python3 in the shell: each run is its own interpreter
// instance under the exec's memory limit, until the command line's
// deadline.
func (s *Sandbox) pythonCommand(cfg SandboxConfig, stages *pythonStages) shell.Command {
	return func(ctx context.Context, inv *shell.Invocation) int {
		argv := append([]string{"python3"}, inv.Args[1:]...)
		// Also asked in shellExec for a whole line, before its timeout; here
		// for this run, which may be one of several on the line.
		preload := s.preloadFor(argv, inv.Dir, nil)
		if inv.Dir != "/" {
			argv = inDir(inv.Dir, argv)
		}
		j := s.newJob(cfg, argv, envMap(inv.Env), inv.Stdin, inv.Stdout, inv.Stderr, stages.deterministic, stages.seed)
		j.preload = preload
		if stages.budget > 0 {
			j.budget = stages.budget - stages.work.Load()
			if j.budget <= 0 {
				stages.budgetHit.Store(true)
				reportBudget(inv.Stderr, stages.budget)
				return ExitTimeout
			}
		}
		runErr, stopped, alloc, work := s.engine.runJob(ctx, j, func() {})
		stages.work.Add(work)
		res := &ExecResult{MemoryExceeded: alloc.exceeded.Load()}
		if res.MemoryExceeded {
			stages.memHit.Store(true)
		}
		if errors.Is(stopped, errBudget) {
			stages.budgetHit.Store(true)
			reportBudget(inv.Stderr, stages.budget)
		}
		if err := classify(ctx, stopped, runErr, res, inv.Stderr); err != nil && ctx.Err() == nil {
			fmt.Fprintf(inv.Stderr, "%s: %v\n", inv.Args[0], err)
		}
		return res.ExitCode
	}
}

// envMap turns "NAME=value" entries into a map.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// inDir returns the argv that runs the interpreter's argv in the working
// directory dir. A WASI program starts in "/" and the host cannot choose
// another, so the interpreter runs chdirBoot first, with dir and the
// program (-c CODE, -m MODULE, FILE or standard input) as arguments. The
// interpreter's own options stay in front.
func inDir(dir string, argv []string) []string {
	i := 1
	for ; i < len(argv); i++ {
		a := argv[i]
		if a == "-" || !strings.HasPrefix(a, "-") || a == "-c" || a == "-m" || a == "--" {
			break
		}
		if a == "-W" || a == "-X" || a == "--check-hash-based-pycs" {
			i++ // the option's value
		}
	}
	out := append(append([]string{}, argv[:min(i, len(argv))]...), "-c", chdirBoot, dir)
	rest := argv[min(i, len(argv)):]
	switch {
	case len(rest) == 0 || rest[0] == "-":
		return append(append(out, "stdin"), rest[min(1, len(rest)):]...)
	case rest[0] == "-c" || rest[0] == "-m":
		return append(append(out, rest[0][1:]), rest[1:]...)
	case rest[0] == "--":
		rest = rest[1:]
		if len(rest) == 0 {
			return append(out, "stdin")
		}
	}
	return append(append(out, "file"), rest...)
}

// chdirBoot changes to the directory in sys.argv[1], then runs the program
// that follows as the interpreter would: "c CODE ARGS", "m MODULE ARGS",
// "file PATH ARGS" or "stdin ARGS", with sys.argv and sys.path[0] set as
// for that form. An uncaught exception other than SystemExit and
// KeyboardInterrupt is reported as the interpreter does (sys.excepthook,
// exit status 1) without this program's frames, so the traceback reads as
// a native python3's. The program's names live in locals: running the
// user's code clears __main__, these globals included.
const chdirBoot = `import os, sys
os.chdir(sys.argv.pop(1))
def _wasmbox_main(mode=sys.argv.pop(1)):
    import __main__, os, sys
    try:
        if mode == "m":
            import runpy
            del sys.argv[0]
            runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
            return
        main = __main__.__dict__
        for k in [k for k in main if k not in ("__name__", "__doc__", "__builtins__")]:
            del main[k]
        if mode == "c":
            name, source = "<string>", sys.argv.pop(1)
        elif mode == "file":
            del sys.argv[0]
            name = main["__file__"] = os.path.abspath(sys.argv[0])
            sys.path[0] = os.path.dirname(name)
            with open(name, "rb") as f:
                source = f.read()
        else:
            sys.argv[0] = "-"
            name, source = "<stdin>", sys.stdin.read()
        exec(compile(source, name, "exec"), main)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:
        e.__traceback__ = tb = e.__traceback__.tb_next
        try:
            sys.excepthook(type(e), e, tb)
        except BaseException:
            sys.__excepthook__(type(e), e, tb)
        raise SystemExit(1) from None
_wasmbox_main()
`
