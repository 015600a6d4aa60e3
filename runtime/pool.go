package runtime

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/wasmbox/wasmbox/internal/guard"
)

// warmSource is the guest program of a warm instance; see warm.py.
//
//go:embed warm.py
var warmSource string

// PoolConfig configures an engine's pool of warm instances: interpreters
// started ahead of need, with the modules jobs use already imported, each
// waiting for one job. The zero value turns the pool off.
type PoolConfig struct {
	// Size is how many warm instances the pool keeps ready.
	Size int
	// Refill is how many instances may be starting at once. Zero means 1,
	// so that refilling takes at most one core from the jobs themselves.
	Refill int
	// IdleTimeout lets the warm instances go after this long without a job
	// (they hold memory); the next job refills the pool. Zero means never.
	IdleTimeout time.Duration
}

// errPoolClosed ends warm instances when the engine closes.
var errPoolClosed = errors.New("wasmbox: engine closed")

// errIdle ends warm instances when the pool shrinks.
var errIdle = errors.New("wasmbox: warm instance idle")

// pool keeps warm instances. Jobs that find none ready start a fresh one.
type pool struct {
	e      *Engine
	cfg    PoolConfig
	ctx    context.Context
	cancel context.CancelCauseFunc
	kick   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	ready    []*warmInstance
	starting int
	lastJob  time.Time
}

func newPool(e *Engine, cfg PoolConfig) *pool {
	if cfg.Refill <= 0 {
		cfg.Refill = 1
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	p := &pool{e: e, cfg: cfg, ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), lastJob: time.Now()}
	p.wg.Add(1)
	go p.keep()
	return p
}

// keep starts instances while the pool is short, and lets them go when it
// has been idle.
func (p *pool) keep() {
	defer p.wg.Done()
	tick := make(<-chan time.Time)
	if p.cfg.IdleTimeout > 0 {
		t := time.NewTicker(p.cfg.IdleTimeout / 2)
		defer t.Stop()
		tick = t.C
	}
	for {
		p.mu.Lock()
		idle := p.cfg.IdleTimeout > 0 && time.Since(p.lastJob) >= p.cfg.IdleTimeout
		for !idle && len(p.ready)+p.starting < p.cfg.Size && p.starting < p.cfg.Refill {
			p.starting++
			p.wg.Add(1)
			go p.start()
		}
		var drop []*warmInstance
		if idle {
			drop, p.ready = p.ready, nil
		}
		p.mu.Unlock()
		for _, w := range drop {
			w.cancel(errIdle)
		}
		select {
		case <-p.ctx.Done():
			return
		case <-p.kick:
		case <-tick:
		}
	}
}

func (p *pool) poke() {
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// start starts one warm instance and adds it to the pool once it waits for
// its job.
func (p *pool) start() {
	defer p.wg.Done()
	w := p.e.startWarm(p.ctx)
	select {
	case <-w.stdin.ready:
	case err := <-w.done:
		// It died warming up: a bug, not a job's fault. Say so, and do
		// not spin: the pool refills on the next job.
		if p.ctx.Err() == nil {
			slog.Warn("wasmbox: a warm instance failed to start", "err", err)
		}
		p.mu.Lock()
		p.starting--
		p.mu.Unlock()
		return
	}
	p.mu.Lock()
	p.starting--
	p.ready = append(p.ready, w)
	p.mu.Unlock()
	p.poke()
}

// readyCount is how many warm instances wait for a job; 0 for a nil pool.
func (p *pool) readyCount() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ready)
}

// take returns a warm instance, or nil when none is ready.
func (p *pool) take() *warmInstance {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.poke()
	defer p.mu.Unlock()
	p.lastJob = time.Now()
	if len(p.ready) == 0 {
		return nil
	}
	w := p.ready[0]
	p.ready = p.ready[1:]
	return w
}

// close ends every warm instance and waits for the pool's goroutines and
// instances: the engine frees the instances' memory after.
func (p *pool) close() {
	if p == nil {
		return
	}
	p.cancel(errPoolClosed)
	// keep and every start return first: an instance that became ready
	// while the pool was closing is in ready by then.
	p.wg.Wait()
	p.mu.Lock()
	ready := p.ready
	p.ready = nil
	p.mu.Unlock()
	for _, w := range ready {
		<-w.done
	}
}

// warmInstance is an interpreter waiting in warm.py for its job.
type warmInstance struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	alloc  *limitedAllocator
	stdin  *warmStdin
	stdout switchWriter
	stderr switchWriter
	fs     switchFS
	st     *instanceState
	done   chan error // InstantiateModule's error, when the instance has ended
}

// startWarm starts an instance of warm.py under ctx: from the snapshot when
// the engine has one, else from scratch. Until its job, it has an empty
// filesystem, no output and no memory limit beyond wasm32's.
func (e *Engine) startWarm(ctx context.Context) *warmInstance {
	origin := clockOrigin
	if e.snap != nil {
		origin = e.snap.clock
	}
	return e.startWarmFrom(ctx, e.snap, newGuestClock(origin))
}

// startWarmFrom starts an instance of warm.py restored from snap (from
// scratch when nil), with clock clk.
func (e *Engine) startWarmFrom(ctx context.Context, snap *snapshot, clk *guestClock) *warmInstance {
	st := newInstanceState(DefaultMaxOpenFiles)
	alloc := newAllocator(MaxMemoryLimit)
	ctx, cancel := context.WithCancelCause(withMemoryWatch(withInstance(withClock(ctx, clk), st), alloc))
	w := &warmInstance{
		ctx: ctx, cancel: cancel, st: st,
		alloc: alloc,
		stdin: &warmStdin{done: ctx.Done(), ready: make(chan struct{}), handed: make(chan struct{}), clock: clk},
		done:  make(chan error, 1),
	}
	w.alloc.stop = func() { cancel(errMemoryKilled) }
	w.stdout.set(io.Discard)
	w.stderr.set(io.Discard)
	w.fs.set(newMemFS(0, 0))
	mcfg := e.moduleConfig([]string{"python3", "-c", warmSource, guard.BootSource()}, nil, clk).
		WithStdin(w.stdin).
		WithStdout(&w.stdout).
		WithStderr(&w.stderr).
		WithFSConfig(e.fsConfig(&instanceFS{FS: &w.fs, st: st}))
	go func() { w.done <- e.instantiate(ctx, w.alloc, mcfg, snap) }()
	return w
}

// job is what one execution brings to an instance.
type job struct {
	argv           []string
	env            map[string]string
	stdin          io.Reader
	stdout, stderr io.Writer
	fs             *memFS
	pkgs           *Packages // mounted beside fs; nil for none
	maxOpenFiles   int       // DefaultMaxOpenFiles when zero
	memoryLimit    uint64
	timeout        time.Duration
	deterministic  bool   // see determinism.go
	seed           uint64 // a deterministic job's
	budget         int64  // CPU budget in units of work; 0 for none
	// casesOnStdin marks a guest whose standard input the host feeds one
	// case at a time (the eval tester's harness): each read that brings
	// data is a job boundary for the memory watch (see MemoryAftermath).
	casesOnStdin bool
	// preload runs the job on the engine's preloaded variant (see
	// preload.go), when it can run warm.
	preload bool
}

// input is the job's standard input for an instance whose memory alloc
// watches.
func (j job) input(alloc *limitedAllocator) io.Reader {
	if j.casesOnStdin && j.stdin != nil {
		return &disarmingReader{r: j.stdin, alloc: alloc}
	}
	return j.stdin
}

// warmArgv returns the argv a warm instance runs for argv, or nil when it
// cannot: warm.py takes `python3 -c CODE [ARGS]`, the form of the guard's
// argv too. A plain `python3 FILE [ARGS]` (the policy none) runs through the
// guard's boot with the policy none, which a warm instance has compiled.
func warmArgv(argv []string) []string {
	if len(argv) >= 3 && argv[0] == "python3" && argv[1] == "-c" {
		return argv
	}
	mode, target, args, err := scriptTarget(argv)
	if err != nil {
		return nil
	}
	return guard.Argv(noPolicy, mode, target, args)
}

// run hands j to the warm instance and waits for it to finish. ok is false
// when the instance cannot take the job (it already uses more memory than
// the job's limit); it is then let go, and the job must run elsewhere.
// stopped is why the instance was stopped early, if it was.
func (w *warmInstance) run(ctx context.Context, j job) (err, stopped error, ok bool) {
	if w.alloc.size.Load() > j.memoryLimit {
		w.cancel(errIdle)
		return nil, nil, false
	}
	var line bytes.Buffer // the job as one JSON line
	if err := json.NewEncoder(&line).Encode(map[string]any{"argv": j.argv[1:], "env": nonNil(j.env)}); err != nil {
		panic(err) // cannot happen: strings only
	}
	w.alloc.limit.Store(j.memoryLimit / pageSize * pageSize)
	w.alloc.disarm() // the handover is a job boundary
	w.fs.set(rootFS(j.fs, j.pkgs, devices{random: w.stdin.clock.randomSource(), stdin: w.stdin, stdout: j.stdout, stderr: j.stderr}))
	w.st.setMaxOpen(j.maxOpenFiles)
	w.stdout.set(j.stdout)
	w.stderr.set(j.stderr)
	w.stdin.clock.startJob(j.budget, w.cancel)
	jobCtx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	stop := context.AfterFunc(jobCtx, func() { w.cancel(context.Cause(jobCtx)) })
	defer stop()
	// The job's stdin ends with the instance's context, not the job's: a
	// guest released from a blocked read at the deadline must find itself
	// already stopped, else it may finish cleanly before the cancel lands.
	w.stdin.handover(line.Bytes(), guestStdin(w.ctx, j.input(w.alloc)))
	err = <-w.done
	return err, context.Cause(w.ctx), true
}

// work is how many units of work the instance's job has used.
func (w *warmInstance) work() int64 { return w.stdin.clock.jobWork() }

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// moduleConfig is the guest configuration every instance shares: argv,
// environment, clocks (the monotonic one is clk) and randomness. Streams and
// filesystem are the caller's.
func (e *Engine) moduleConfig(argv []string, env map[string]string, clk *guestClock) wazero.ModuleConfig {
	mcfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(argv...).
		WithNanotime(clk.nanotime, 1)
	mcfg = mcfg.WithRandSource(clk.randomSource())
	if clk.virtual != nil {
		mcfg = mcfg.WithWalltime(clk.walltime, 1)
	} else {
		mcfg = mcfg.WithSysWalltime()
	}
	for _, k := range sortedKeys(env) {
		mcfg = mcfg.WithEnv(k, env[k])
	}
	return mcfg
}
