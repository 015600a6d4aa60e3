package runtime

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/wasmbox/wasmbox/validate"
)

// contextSource is the guest side of a code context; see context.py.
//
//go:embed context.py
var contextSource string

// DefaultMaxContexts caps the live code contexts of an engine when
// EngineConfig.MaxContexts is zero.
const DefaultMaxContexts = 64

// Errors of code contexts, to test with errors.Is.
var (
	// ErrContextLost: the context's interpreter ended (a run timed out,
	// crashed or exited, or the context sat idle past its TTL) and its
	// state went with it. The error says why.
	ErrContextLost = errors.New("the context's state was lost")
	// ErrContextClosed: the context was closed.
	ErrContextClosed = errors.New("context closed")
	// ErrTooManyContexts: the engine holds its cap of live contexts.
	ErrTooManyContexts = errors.New("too many live code contexts")
	// ErrContextsUnsupported: the engine's interpreter has no snapshot
	// (a custom command module), which contexts start from.
	ErrContextsUnsupported = errors.New("code contexts need the embedded reactor interpreter and its snapshot")
)

// ContextOptions configures a code context. Zero fields take the
// sandbox's settings.
type ContextOptions struct {
	// MemoryLimit caps the context's linear memory, in bytes. A cell that
	// meets it gets a MemoryError and the context lives on; one that keeps
	// failing to grow, or runs on long after it first failed (see
	// MemoryAftermath, counted afresh for each cell), is stopped and the
	// context is lost with a MemoryError.
	MemoryLimit uint64
	// Timeout is each run's default wall-clock limit. A run that passes
	// its limit is stopped, and the context's state is lost with it.
	Timeout time.Duration
	// IdleTTL ends the context after this long without a run. Zero means
	// never.
	IdleTTL time.Duration
	// MaxOutput caps what each run keeps of each of stdout and stderr.
	MaxOutput int64
	// Cwd is the working directory of the cells, a directory of the
	// sandbox; "/" by default.
	Cwd string
	// Env is the interpreter's environment, added to the sandbox's.
	// PYTHON* variables have no effect: the interpreter is already running.
	Env map[string]string
	// Policy, when set and not "none", holds every cell to it for the
	// context's whole life (see context_policy.go): each cell is checked
	// statically before it runs (a cell the check refuses does not run;
	// RejectCell says how it is reported), and runs under the in-guest
	// guard, armed with the policy when the context starts. Forks and
	// resumed saves keep it. Nil is the policy none: isolation only.
	Policy *validate.Policy
	// SkipStaticCheck runs the cells under the guard alone, as
	// Sandbox.Exec runs a program under a policy (the static check is
	// PythonRunner's): for a caller that checks each cell itself, and for
	// tests of the guard. A resumed context never skips it.
	SkipStaticCheck bool
}

// RunOptions adjusts one Context.Run.
type RunOptions struct {
	// Timeout overrides the context's Timeout for this run.
	Timeout time.Duration
	// Stdout and Stderr, when set, receive the cell's output as it is
	// written (up to the output cap), besides the copy kept in the logs.
	Stdout, Stderr io.Writer
	// Policy, when set, is the policy the caller means the cell to run
	// under: a run whose policy is not the context's (ContextOptions.Policy;
	// nil there is "none") is refused with a *PolicyMismatchError. Nil
	// runs under the context's policy.
	Policy *validate.Policy
}

// Execution is the outcome of one Context.Run, in the shape of the
// Cloudflare SDK's ExecutionResult.
type Execution struct {
	Code string `json:"code"`
	Logs Logs   `json:"logs"`
	// Results holds the value of the cell's trailing expression, if it has
	// one and it is not None.
	Results []Result `json:"results"`
	// Error is set when the cell raised (or timed out, or the context
	// ended under it).
	Error *ExecutionError `json:"error,omitempty"`
	// ExecutionCount numbers the context's runs from 1.
	ExecutionCount int `json:"executionCount"`
	// Truncated is set when output past the cap was dropped.
	Truncated bool `json:"truncated,omitempty"`
}

// Logs is a run's output, one entry per write of the guest.
type Logs struct {
	Stdout []string `json:"stdout"`
	Stderr []string `json:"stderr"`
}

// Result is one value in its representations, as Jupyter gives them: Text
// is its repr, the others come from its _repr_html_ (and _repr_markdown_,
// _repr_json_, _repr_svg_, _repr_png_: base64) methods.
type Result struct {
	Text     string `json:"text,omitempty"`
	HTML     string `json:"html,omitempty"`
	Markdown string `json:"markdown,omitempty"`
	JSON     any    `json:"json,omitempty"`
	SVG      string `json:"svg,omitempty"`
	PNG      string `json:"png,omitempty"`
}

// ExecutionError is the exception a cell raised.
type ExecutionError struct {
	// Name is the exception's class, such as ZeroDivisionError.
	Name    string `json:"name"`
	Message string `json:"message"`
	// Traceback is the formatted traceback, one line an entry.
	Traceback []string `json:"traceback"`
	// LineNumber is the line of the cell where it was raised, if known.
	LineNumber int `json:"lineNumber,omitempty"`
}

// Context is a code context: one live interpreter whose globals, imports
// and open files last from one Run to the next. Its files are its
// sandbox's. Runs are serialized; its methods are safe for concurrent use.
type Context struct {
	engine  *Engine
	sandbox *Sandbox
	owns    bool // the sandbox is the context's own (a fork's): destroyed with it
	opts    ContextOptions

	mu    sync.Mutex
	inst  *contextInstance // nil once lost or closed
	ended error            // why inst is nil
	count int
	idle  *time.Timer

	stopMu sync.Mutex
	stop   context.CancelCauseFunc // ends the call under way, if any
}

// NewContext starts a code context over the sandbox's files: an
// interpreter restored from the engine's snapshot.
func (s *Sandbox) NewContext(ctx context.Context, opts ContextOptions) (*Context, error) {
	s.mu.Lock()
	destroyed := s.destroyed
	s.mu.Unlock()
	if destroyed {
		return nil, ErrDestroyed
	}
	opts, err := s.contextOptions(opts)
	if err != nil {
		return nil, err
	}
	if err := s.op("context cwd", opts.Cwd, func(clean string) experimentalsys.Errno {
		n, errno := s.fs.lookup(clean)
		if errno == 0 && !n.dir {
			errno = experimentalsys.ENOTDIR
		}
		return errno
	}); err != nil {
		return nil, err
	}
	c := &Context{engine: s.engine, sandbox: s, opts: opts}
	inst, err := s.engine.newContextInstance(ctx, s.fs, s.cfg.Packages, opts.MemoryLimit)
	if err != nil {
		return nil, err
	}
	if err := inst.restoreBase(ctx); err != nil {
		inst.close()
		return nil, err
	}
	// The guard's boot runs the cell runner (mode "context"), and arms the
	// guard under a policy; the warm instance has the boot compiled.
	argv := s.engine.guardConfig(s.cfg.Packages).Argv(*opts.Policy, "context", contextSource, []string{opts.Cwd, "/" + controlName})
	job := map[string]any{"argv": argv[1:], "env": nonNil(s.cfg.Packages.pythonPath(opts.Env)), "stay": true}
	var setup strings.Builder
	inst.stderr.set(&setup)
	err = inst.callEntry(ctx, job, hostCallTimeout)
	inst.stderr.set(io.Discard)
	if err != nil {
		inst.close()
		return nil, fmt.Errorf("wasmbox: starting the context: %w: %s", err, setup.String())
	}
	c.start(inst)
	return c, nil
}

// contextOptions fills opts' zero fields from the sandbox and checks them.
func (s *Sandbox) contextOptions(opts ContextOptions) (ContextOptions, error) {
	cfg, err := s.execConfig(ExecOptions{Timeout: opts.Timeout, MemoryLimit: opts.MemoryLimit, MaxOutput: opts.MaxOutput, Env: opts.Env})
	if err != nil {
		return opts, err
	}
	if cfg.MemoryLimit < s.engine.snapSize() {
		return opts, fmt.Errorf("%w: %d bytes, the snapshot needs %d", errSnapshotMemory, cfg.MemoryLimit, s.engine.snapSize())
	}
	if opts.IdleTTL < 0 {
		return opts, fmt.Errorf("wasmbox: idle TTL %v is negative", opts.IdleTTL)
	}
	if opts.Cwd == "" {
		opts.Cwd = "/"
	}
	if !strings.HasPrefix(opts.Cwd, "/") || strings.IndexByte(opts.Cwd, 0) >= 0 {
		return opts, fmt.Errorf("wasmbox: context cwd %q must be an absolute path", opts.Cwd)
	}
	opts.MemoryLimit, opts.Timeout, opts.MaxOutput, opts.Env = cfg.MemoryLimit, cfg.Timeout, cfg.MaxOutput, cfg.Env
	p := contextPolicy(opts.Policy)
	opts.Policy = &p
	return opts, nil
}

// snapSize is the linear memory the snapshot needs; 0 without one.
func (e *Engine) snapSize() uint64 {
	if e.snap == nil {
		return 0
	}
	return e.snap.size
}

// Sandbox returns the sandbox whose files the context sees: a fork's is
// its own copy.
func (c *Context) Sandbox() *Sandbox { return c.sandbox }

// Options returns the context's settings, defaults filled in: Policy is
// never nil.
func (c *Context) Options() ContextOptions {
	opts := c.opts
	p := *c.opts.Policy
	opts.Policy = &p
	return opts
}

// Err returns nil while the context is live, else why it is not: an error
// matching ErrContextLost or ErrContextClosed.
func (c *Context) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ended
}

// ExecutionCount returns how many runs the context has had.
func (c *Context) ExecutionCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// Run runs code as the context's next cell and waits for it. The value of
// a trailing expression is the result; an exception the cell raises is the
// execution's Error, not an error of Run.
//
// A run that passes its timeout, is stopped at the memory limit (see
// ContextOptions.MemoryLimit), crashes the interpreter or exits it ends
// the context: its Execution says so, and later runs fail with
// ErrContextLost. Under a policy, a cell the static check refuses does not
// run (nor count): its Execution's error says why (see RejectCell). The
// error is non-nil when the cell could not run (the context is closed or
// lost, or opts.Policy is not the context's: a *PolicyMismatchError), or
// when ctx was canceled (which also ends the context).
func (c *Context) Run(ctx context.Context, code string, opts RunOptions) (*Execution, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst == nil {
		return nil, c.ended
	}
	if opts.Policy != nil {
		if err := c.CheckPolicy(*opts.Policy); err != nil {
			return nil, err
		}
	}
	if policy := *c.opts.Policy; policy.Enabled() && !c.opts.SkipStaticCheck {
		if x := RejectCell(code, policy); x != nil {
			x.ExecutionCount = c.count
			return x, nil
		}
	}
	c.idle.Stop()
	defer c.rearm()
	timeout := c.opts.Timeout
	if opts.Timeout > 0 {
		timeout = opts.Timeout
	}
	ctx, stop := c.stoppable(ctx)
	defer stop(nil)
	c.count++
	x := &Execution{Code: code, ExecutionCount: c.count, Results: []Result{}}
	stdout := &logWriter{max: c.opts.MaxOutput, live: opts.Stdout}
	stderr := &logWriter{max: c.opts.MaxOutput, live: opts.Stderr}
	c.inst.stdout.set(stdout)
	c.inst.stderr.set(stderr)
	answer, err := c.inst.call(ctx, map[string]any{"op": "run", "code": code, "count": c.count}, timeout)
	if c.inst != nil {
		c.inst.stdout.set(io.Discard)
		c.inst.stderr.set(io.Discard)
	}
	x.Logs = Logs{Stdout: stdout.entries(), Stderr: stderr.entries()}
	x.Truncated = stdout.dropped || stderr.dropped
	if err != nil {
		return x, c.runFailed(ctx, x, err, timeout)
	}
	var out struct {
		Results []Result        `json:"results"`
		Error   *ExecutionError `json:"error"`
	}
	if err := json.Unmarshal(answer, &out); err != nil {
		c.lose(fmt.Errorf("the cell runner's answer is not JSON: %w", err))
		x.Error = &ExecutionError{Name: "ContextLost", Message: c.ended.Error(), Traceback: []string{}}
		return x, nil
	}
	if out.Results != nil {
		x.Results = out.Results
	}
	x.Error = out.Error
	if x.Error != nil && x.Error.Traceback == nil {
		x.Error.Traceback = []string{}
	}
	return x, nil
}

// runFailed ends the context after a run that did not come back (err),
// records why in x.Error, and returns the error Run reports.
func (c *Context) runFailed(ctx context.Context, x *Execution, err error, timeout time.Duration) error {
	memory := c.inst != nil && c.inst.alloc.exceeded.Load()
	var reason error
	name := "ContextLost"
	switch {
	case ctx.Err() != nil:
		reason = fmt.Errorf("the run was canceled: %w", context.Cause(ctx))
	case errors.Is(err, context.DeadlineExceeded):
		name, reason = "TimeoutError", fmt.Errorf("a run passed its %v timeout and was stopped", timeout)
	case errors.Is(err, errMemoryKilled):
		name, reason = "MemoryError", fmt.Errorf("a run hit the %d-byte memory limit and kept failing to grow, or kept running long after it first failed, and was stopped", c.opts.MemoryLimit)
	case memory:
		name, reason = "MemoryError", fmt.Errorf("a run hit the %d-byte memory limit and the interpreter failed: %v", c.opts.MemoryLimit, err)
	default:
		reason = fmt.Errorf("the interpreter ended during a run: %w", err)
	}
	c.lose(reason)
	x.Error = &ExecutionError{Name: name, Message: c.ended.Error(), Traceback: []string{}}
	if ctx.Err() != nil {
		return fmt.Errorf("wasmbox: run canceled: %w", context.Cause(ctx))
	}
	return nil
}

// lose ends the instance for reason. The caller holds c.mu.
func (c *Context) lose(reason error) {
	if c.inst != nil {
		c.inst.close()
		c.inst = nil
	}
	c.idle.Stop()
	if c.ended == nil {
		c.ended = fmt.Errorf("wasmbox: %w: %w", ErrContextLost, reason)
	}
}

// stoppable returns ctx, which Close ends, for a call into the guest. The
// caller holds c.mu and calls stop when the call is over.
func (c *Context) stoppable(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	c.stopMu.Lock()
	c.stop = cancel
	c.stopMu.Unlock()
	return ctx, func(cause error) {
		c.stopMu.Lock()
		c.stop = nil
		c.stopMu.Unlock()
		cancel(cause)
	}
}

// Close ends the context and frees its interpreter; a run under way is
// stopped. Later runs fail with ErrContextClosed; Close itself may be
// called again.
func (c *Context) Close() error {
	c.stopMu.Lock()
	if c.stop != nil {
		c.stop(ErrContextClosed)
	}
	c.stopMu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst != nil {
		c.inst.close()
		c.inst = nil
	}
	c.idle.Stop()
	if c.ended == nil || errors.Is(c.ended, ErrContextLost) {
		c.ended = fmt.Errorf("wasmbox: %w", ErrContextClosed)
	}
	if c.owns {
		c.sandbox.Destroy()
	}
	return nil
}

// start makes inst the context's instance and arms the idle timer.
func (c *Context) start(inst *contextInstance) {
	c.inst = inst
	c.idle = time.AfterFunc(time.Hour, c.expire)
	c.idle.Stop()
	c.rearm()
}

// rearm restarts the idle timer after a run. The caller holds c.mu.
func (c *Context) rearm() {
	if c.opts.IdleTTL > 0 && c.inst != nil {
		c.idle.Reset(c.opts.IdleTTL)
	}
}

// expire ends the context when its idle TTL passes.
func (c *Context) expire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst != nil {
		c.lose(fmt.Errorf("it sat idle for longer than its TTL of %v", c.opts.IdleTTL))
	}
}
