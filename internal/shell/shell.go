// Package shell is the sandbox's command interpreter: a POSIX shell
// (mvdan.cc/sh/v3's interpreter, with bash's extensions) whose every side
// effect goes to the sandbox. Redirections, globs, test operators, cd and
// source use the sandbox filesystem; commands are the ones the caller gives
// in Config.Commands (the core utilities of package coreutils, and python3
// as a wasm guest), nested shells (sh, bash, dash), and executable scripts,
// run by their #! line. Nothing reaches the host's files, programs or
// environment. Command is the interface a command implements.
//
// Each Run is one command line with one context: when it ends, every stage of
// every pipeline and every background job stops.
package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Limits of one command line. Each guards the host process, which runs the
// interpreter: the guests have their own limits.
const (
	// MaxScript is the largest script the shell parses: a command line (the
	// bridge's body cap, 32 MiB, as a plain argv), a script file or a script
	// read from standard input. It bounds heredocs.
	MaxScript = 32 << 20
	// MaxJobs caps the goroutines a command line may add to the process:
	// pipeline stages, background jobs and their helpers. A fork bomb stops
	// here.
	MaxJobs = 1024
	// MaxFrames caps the depth of the interpreter's Go stack, in frames:
	// function recursion, nested shells and sourced scripts all add to it.
	// It is about 2,500 levels of shell function calls.
	MaxFrames = 20000
	// MaxCapture caps what one command writes into a command substitution
	// $(...), which the interpreter keeps in the host's memory.
	MaxCapture = 16 << 20
	// MaxHeapGrowth caps how much the process's Go heap may grow while a
	// command line runs (see watchHeap).
	MaxHeapGrowth = 256 << 20
)

// Errors that stop a command line.
var (
	// ErrTooManyJobs: the command line ran more concurrent jobs than MaxJobs.
	ErrTooManyJobs = errors.New("too many concurrent jobs")
	// ErrTooDeep: functions, nested shells or scripts nested past MaxFrames.
	ErrTooDeep = errors.New("maximum nesting depth exceeded")
	// ErrTooMuchMemory: the shell's own memory (variables, expansions) grew
	// past MaxHeapGrowth.
	ErrTooMuchMemory = errors.New("the shell's variables and expansions passed their memory limit")
)

// Config is what a command line runs with.
type Config struct {
	// FS is the sandbox filesystem, mounted at "/". Required.
	FS experimentalsys.FS
	// Dir is the working directory, an absolute sandbox path; "" is "/".
	// It must be a directory.
	Dir string
	// Env is the exported environment, "NAME=value" entries. The host's is
	// never used. PATH and HOME get defaults when unset, as shell variables
	// that are not exported (as bash sets PATH).
	Env []string
	// Stdin, Stdout and Stderr are the command line's streams; nil reads as
	// empty or discards.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Commands are the programs besides the shell's builtins: the core
	// utilities and python3, which the caller provides. sh, bash, dash and
	// pip are the shell's own.
	Commands Commands
}

// Defaults of the shell variables PATH and HOME when Config.Env leaves
// them unset.
const (
	DefaultPath = "/usr/local/bin:/usr/bin:/bin"
	DefaultHome = "/"
)

// cmdline is one command line being run: its config, context and limits.
// Its methods are the interpreter's handlers.
type cmdline struct {
	cfg Config
	fs  experimentalsys.FS
	// ctx is the command line's context, canceled by cancel when Run
	// returns or a limit stops the command line.
	ctx    context.Context
	cancel context.CancelCauseFunc
	// goroutines is the process's goroutine count when Run started, the
	// base of the MaxJobs check; label marks the command line's goroutines
	// in a goroutine profile, and jobs is their last count, taken at jobsAt.
	goroutines int
	label      string
	jobsMu     sync.Mutex
	jobs       int
	jobsAt     time.Time
	// stopped holds the limit error that stopped the command line, if any.
	stopped atomic.Pointer[error]
}

// stop records err as why the command line stopped, stops it (every
// pipeline stage and job ends at its next command) and returns err.
func (sh *cmdline) stop(err error) error {
	if sh.stopped.CompareAndSwap(nil, &err) {
		sh.cancel(err)
	}
	return sh.stopErr()
}

// stopErr returns the limit error that stopped the command line, or nil.
func (sh *cmdline) stopErr() error {
	if p := sh.stopped.Load(); p != nil {
		return *p
	}
	return nil
}

// Run parses script and runs it; name is $0 and args are $1, $2, ... It
// returns the exit status. The error is non-nil when the command line was
// stopped before it ended: ctx was done (its cause is returned), or a limit
// above was passed (ErrTooManyJobs, ErrTooDeep, ErrTooMuchMemory: the
// status is then 2 and stderr says which).
func Run(ctx context.Context, cfg Config, script, name string, args ...string) (int, error) {
	if cfg.FS == nil {
		return 2, errors.New("shell: Config.FS is nil")
	}
	if cfg.Dir == "" {
		cfg.Dir = "/"
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errEnded)
	id := strconv.FormatUint(lineIDs.Add(1), 10)
	sh := &cmdline{cfg: cfg, fs: cfg.FS, ctx: ctx, cancel: cancel, goroutines: runtime.NumGoroutine(),
		label: strconv.Quote(jobLabel) + ":" + strconv.Quote(id)}
	go sh.watchHeap(ctx)
	var status int
	pprof.Do(ctx, pprof.Labels(jobLabel, id), func(ctx context.Context) {
		status = sh.run(ctx, runSpec{
			script: script, name: name, args: args, dir: cfg.Dir, env: cfg.Env,
			stdin: cfg.Stdin, stdout: &passWriter{cfg.Stdout}, stderr: &passWriter{cfg.Stderr},
		})
	})
	if err := sh.stopErr(); err != nil {
		fmt.Fprintf(cfg.Stderr, "%s: %v\n", name, err)
		return 2, err
	}
	if ctx.Err() != nil {
		return status, context.Cause(ctx)
	}
	return status, nil
}

// lineIDs numbers command lines for their goroutine label.
var lineIDs atomic.Uint64

// errEnded cancels a command line's context when Run returns, which stops
// the background jobs it left.
var errEnded = errors.New("the command line has ended")

// RunArgv runs an argv as the bridge sends one: ["sh", "-c", SCRIPT, ...]
// and ["bash", "-lc", SCRIPT] run SCRIPT; any other argv runs as one
// command, its words taken literally. A word the shell cannot quote (a NUL
// byte) is status 2 with a message on stderr. Results are as Run's.
func RunArgv(ctx context.Context, cfg Config, argv []string) (int, error) {
	if len(argv) == 0 {
		return 2, errors.New("shell: empty argv")
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		q, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			if cfg.Stderr != nil {
				fmt.Fprintf(cfg.Stderr, "sh: argument %d: %v\n", i, err)
			}
			return 2, nil
		}
		quoted[i] = q
	}
	return Run(ctx, cfg, strings.Join(quoted, " "), "sh")
}

// runSpec is one script for one interpreter: the command line itself, or a
// nested shell's.
type runSpec struct {
	script, name string
	args         []string
	opts         []string // set options: "-e", "+u", "-o", "pipefail"
	dir          string
	env          []string
	stdin        io.Reader
	stdout       io.Writer
	stderr       io.Writer
}

// run parses and runs spec in a new interpreter and returns its status.
func (sh *cmdline) run(ctx context.Context, spec runSpec) int {
	if len(spec.script) > MaxScript {
		fmt.Fprintf(spec.stderr, "%s: script of %d bytes is over the %d MiB limit\n", spec.name, len(spec.script), MaxScript>>20)
		return 2
	}
	file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(spec.script), spec.name)
	if err != nil {
		fmt.Fprintf(spec.stderr, "%s: %v\n", spec.name, err)
		return 2
	}
	if pos, ok := procSubst(file); ok {
		fmt.Fprintf(spec.stderr, "%s: line %d: process substitution is not supported in this sandbox\n", spec.name, pos.Line())
		return 2
	}
	stdin, closeStdin, err := stdinFile(spec.stdin)
	if err != nil {
		fmt.Fprintf(spec.stderr, "%s: %v\n", spec.name, err)
		return 2
	}
	defer closeStdin()
	spec.stdin = stdin
	r, err := sh.newRunner(spec)
	if err != nil {
		fmt.Fprintf(spec.stderr, "%s: %v\n", spec.name, err)
		return 2
	}
	err = r.Run(ctx, file)
	var status interp.ExitStatus
	switch {
	case err == nil:
		return 0
	case errors.As(err, &status):
		return int(status)
	case errors.Is(err, ErrTooManyJobs), errors.Is(err, ErrTooDeep), errors.Is(err, ErrTooMuchMemory):
		return 2 // Run reports it, once
	case ctx.Err() != nil:
		return exitCanceled
	default:
		fmt.Fprintf(spec.stderr, "%s: %v\n", spec.name, err)
		return 1
	}
}

// exitCanceled is the status of a command line stopped by its context, as
// a shell killed by SIGINT.
const exitCanceled = 130

// procSubst finds a process substitution in file. The interpreter makes
// those FIFOs in the host's temporary directory, so they are refused.
func procSubst(file *syntax.File) (syntax.Pos, bool) {
	var pos syntax.Pos
	syntax.Walk(file, func(n syntax.Node) bool {
		if ps, ok := n.(*syntax.ProcSubst); ok && !pos.IsValid() {
			pos = ps.Pos()
		}
		return !pos.IsValid()
	})
	return pos, pos.IsValid()
}

// newRunner makes an interpreter whose every handler is the sandbox's.
func (sh *cmdline) newRunner(spec runSpec) (*interp.Runner, error) {
	params := append(append([]string{}, spec.opts...), "--")
	r, err := interp.New(
		interp.Env(noFIFOs),
		func(r *interp.Runner) error { r.Dir = spec.dir; return nil },
		interp.StdIO(spec.stdin, spec.stdout, spec.stderr),
		interp.Params(append(params, spec.args...)...),
		interp.OpenHandler(sh.open),
		interp.StatHandler(sh.stat),
		interp.ReadDirHandler2(sh.readDir),
		interp.AccessHandler(sh.access),
		interp.CallHandler(sh.call),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return sh.exec }),
	)
	if err != nil {
		return nil, err
	}
	// The first reset fixes the interpreter's temporary directory, where it
	// makes process substitutions' FIFOs and whose files it opens on the
	// host, bypassing the open handler: from noFIFOs, a name no file can
	// have. The second gives the command line its own environment.
	r.Reset()
	r.Env = sandboxEnviron{expand.ListEnviron(spec.env...)}
	r.Reset()
	return r, nil
}

// stdinFile returns r as the *os.File the interpreter wants for its
// standard input (nil for none). Any other reader is copied into a pipe by
// a goroutine; done closes the pipe's read end, which ends that goroutine
// at its next write even when the script never read its input.
func stdinFile(r io.Reader) (f io.Reader, done func(), err error) {
	r = nilIfEmpty(r)
	if r == nil {
		return nil, func() {}, nil
	}
	if f, ok := r.(*os.File); ok {
		return f, func() {}, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	go func() {
		io.Copy(pw, r)
		pw.Close()
	}()
	return pr, func() { pr.Close() }, nil
}

// nilIfEmpty drops a nil reader held in an interface, so the interpreter
// sees no standard input rather than a broken one.
func nilIfEmpty(r io.Reader) io.Reader {
	if isEmpty(r) {
		return nil
	}
	return r
}

// noFIFOs is the environment of an interpreter's first reset: its TMPDIR
// holds a NUL byte, so no path the host could open starts with it.
var noFIFOs = sandboxEnviron{expand.ListEnviron("TMPDIR=/\x00wasmbox-no-fifos")}

// sandboxEnviron is an environment with the shell's own variables, which
// the interpreter would otherwise take from the host process: the user and
// group ids (the sandbox's one user is root), and PATH and HOME when the
// environment lacks them. None of them is exported.
type sandboxEnviron struct{ expand.Environ }

var fixedVars = map[string]expand.Variable{
	"UID":  {Set: true, Kind: expand.String, ReadOnly: true, Str: "0"},
	"EUID": {Set: true, Kind: expand.String, ReadOnly: true, Str: "0"},
	"GID":  {Set: true, Kind: expand.String, ReadOnly: true, Str: "0"},
}

var defaultVars = map[string]expand.Variable{
	"PATH": {Set: true, Kind: expand.String, Str: DefaultPath},
	"HOME": {Set: true, Kind: expand.String, Str: DefaultHome},
}

func (e sandboxEnviron) Get(name string) expand.Variable {
	if v, ok := fixedVars[name]; ok {
		return v
	}
	if user, ok := strings.CutPrefix(name, "HOME "); ok {
		return homeOf(user)
	}
	if v := e.Environ.Get(name); v.IsSet() {
		return v
	}
	return defaultVars[name]
}

func (e sandboxEnviron) Each(f func(name string, vr expand.Variable) bool) {
	for name, vr := range e.Environ.Each {
		if _, fixed := fixedVars[name]; !fixed && !f(name, vr) {
			return
		}
	}
	for _, vars := range []map[string]expand.Variable{fixedVars, defaultVars} {
		for name, vr := range vars {
			if _, shadowed := defaultVars[name]; shadowed && e.Environ.Get(name).IsSet() {
				continue
			}
			if !f(name, vr) {
				return
			}
		}
	}
}

// homeOf answers the expansion of ~USER, which the interpreter looks up
// as the variable "HOME USER" before the host's user database: root's home
// is /root, and any other name stays as it is written (as bash leaves
// ~nosuchuser).
func homeOf(user string) expand.Variable {
	home := "~" + user
	if user == "root" {
		home = "/root"
	}
	return expand.Variable{Set: true, Kind: expand.String, Str: home}
}

// exported lists the exported variables of an interpreter's environment,
// "NAME=value" sorted by name.
func exported(env expand.Environ) []string {
	vars := map[string]string{}
	for name, vr := range env.Each {
		if vr.Exported && vr.IsSet() {
			vars[name] = vr.String()
		} else {
			delete(vars, name)
		}
	}
	list := make([]string, 0, len(vars))
	for name, value := range vars {
		list = append(list, name+"="+value)
	}
	sort.Strings(list)
	return list
}

// passWriter marks the command line's own output streams, which the caller
// caps; anything else a command writes to that is not a pipe or a file is
// a command substitution's buffer in host memory (see capture).
type passWriter struct{ w io.Writer }

func (p *passWriter) Write(b []byte) (int, error) { return p.w.Write(b) }

// captureWriter caps what one command writes into a command substitution.
type captureWriter struct {
	w    io.Writer
	left int64
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if int64(len(b)) > c.left {
		n, _ := c.w.Write(b[:c.left])
		c.left = 0
		return n, errCaptureFull
	}
	c.left -= int64(len(b))
	return c.w.Write(b)
}

var errCaptureFull = fmt.Errorf("command substitution output over the %d MiB limit", MaxCapture>>20)

// capped returns the writer a command gets for w: w itself when it is a
// pipe, a sandbox file or the command line's own stream, else w capped at
// MaxCapture.
func capped(w io.Writer) io.Writer {
	switch w.(type) {
	case *passWriter, *sandboxFile, *captureWriter, stream, devNull:
		return w
	case *os.File: // a pipe between stages
		return w
	}
	return &captureWriter{w: w, left: MaxCapture}
}
