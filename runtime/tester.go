package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
	"unicode"

	"github.com/wasmbox/wasmbox/internal/evaltest"
	"github.com/wasmbox/wasmbox/validate"
)

// The eval tester's types, defined in internal/evaltest.
type (
	// TestCase is one labelled case: the call's arguments and what it must
	// return or raise.
	TestCase = evaltest.Case
	// TestReport is the outcome of EvalTester.Test; its JSON form is the
	// CLI's `test --json` output.
	TestReport = evaltest.Report
	// CaseResult is the outcome of one case.
	CaseResult = evaltest.CaseResult
)

// Files the tester keeps in the sandbox, beside ScriptPath.
const (
	testerCasesPath   = "/tmp/.wasmbox/cases.jsonl"
	testerResultsPath = "/tmp/.wasmbox/results.jsonl"
)

// loadAllowance is added to the per-case timeout for loading the eval code
// in a fresh instance: the interpreter's own start-up is not the code's.
const loadAllowance = 2 * time.Second

// TesterConfig configures an EvalTester. Zero fields take the defaults.
type TesterConfig struct {
	// Function is the name of the function to test; default "evaluate".
	Function string
	// Timeout is the wall-clock limit of each case; default 5s.
	Timeout time.Duration
	// MemoryLimit caps the instance's linear memory; default 128 MiB.
	MemoryLimit uint64
	// Policy is checked statically before any case runs and enforced in
	// the guest while they run. Nil means the strict policy.
	Policy *validate.Policy
	// Progress, when set, is called as cases finish with how many have
	// finished (cases run in order) and how many there are.
	Progress func(finished, total int)
}

// EvalTester runs an evaluation function against labelled cases. All cases
// run in one interpreter instance; a case that runs past its timeout, hits
// the memory limit or crashes the instance is marked as such, and the rest
// go on in a fresh instance. It is safe for concurrent use.
type EvalTester struct {
	runner   *PythonRunner
	function string
	timeout  time.Duration
	memory   uint64
	progress func(finished, total int)
}

// NewEvalTester returns a tester on engine.
func NewEvalTester(engine *Engine, cfg TesterConfig) (*EvalTester, error) {
	if cfg.Function == "" {
		cfg.Function = "evaluate"
	}
	if !isIdentifier(cfg.Function) {
		return nil, fmt.Errorf("wasmbox: function name %q is not a Python identifier", cfg.Function)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
	}
	runner, err := NewPythonRunner(engine, RunnerConfig{Policy: cfg.Policy, Sandbox: SandboxConfig{Timeout: cfg.Timeout, MemoryLimit: cfg.MemoryLimit}})
	if err != nil {
		return nil, err
	}
	progress := cfg.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	return &EvalTester{runner: runner, function: cfg.Function, timeout: cfg.Timeout, memory: cfg.MemoryLimit, progress: progress}, nil
}

// isIdentifier reports whether s is a Python identifier.
func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Pc, r))) {
			return false
		}
	}
	return s != ""
}

// Test checks evalCode against the policy, then runs it against cases. A
// rejected script gives a report with its violations and no case run; code
// that fails to load (a syntax error, an exception at import, no such
// function) gives a report with loadError and no case run. The error is for
// failures of the sandbox itself, or a canceled ctx.
func (t *EvalTester) Test(ctx context.Context, evalCode []byte, cases []TestCase) (*TestReport, error) {
	start := time.Now()
	rep := &TestReport{Function: t.function}
	defer func() {
		rep.Tally()
		rep.Duration = evaltest.Millis(time.Since(start))
	}()
	if v := t.runner.Check(evalCode); len(v) > 0 && !onlySyntaxErrors(v) {
		rep.Violations = v
		return rep, nil
	}
	var casesFile bytes.Buffer
	for i := range cases {
		casesFile.Write(cases[i].HarnessJSON())
		casesFile.WriteByte('\n')
	}
	s, err := t.runner.engine.NewSandbox(SandboxConfig{
		MemoryLimit: t.memory,
		// Room for the cases, their results and what the code writes.
		MaxFSBytes: DefaultMaxFSBytes + 4*int64(casesFile.Len()),
	})
	if err != nil {
		return nil, err
	}
	defer s.Destroy()
	for path, data := range map[string][]byte{ScriptPath: evalCode, evaltest.HarnessPath: evaltest.HarnessSource, testerCasesPath: casesFile.Bytes()} {
		if err := s.WriteFile(path, data); err != nil {
			return nil, err
		}
	}

	// Host-side outcomes (timeouts, crashes) by case index; the rest come
	// from the harness's results file.
	hostResults := map[int]CaseResult{}
	for next := 0; next < len(cases); {
		run, err := t.runInstance(ctx, s, next, len(cases))
		if err != nil {
			return nil, err
		}
		switch {
		case run.loadError != nil:
			rep.LoadError = run.loadError
			return rep, nil
		case run.ended:
			next = len(cases)
		case run.current >= 0:
			// The instance died in case run.current: record why, go on after it.
			c := &cases[run.current]
			if run.timedOut {
				hostResults[run.current] = evaltest.TimeoutResult(run.current, c, t.timeout, run.elapsed)
			} else {
				hostResults[run.current] = evaltest.ErrorResult(run.current, c, run.elapsed, run.failure())
			}
			next = run.current + 1
			t.progress(next, len(cases))
		default:
			return nil, fmt.Errorf("wasmbox: the eval harness stopped before running a case (exit %d): %s", run.res.ExitCode, run.res.Stderr)
		}
	}

	results, err := s.ReadFile(testerResultsPath)
	if err != nil && len(cases) > 0 && len(hostResults) < len(cases) {
		return nil, fmt.Errorf("wasmbox: reading the eval results: %w", err)
	}
	byIndex := make([]*CaseResult, len(cases))
	err = evaltest.ReadResults(bytes.NewReader(results), func(l evaltest.ResultLine) error {
		if l.Case != nil && l.Case.Index < len(cases) {
			byIndex[l.Case.Index] = l.Case
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wasmbox: %w", err)
	}
	rep.Cases = make([]CaseResult, len(cases))
	for i := range cases {
		switch r, ok := hostResults[i]; {
		case ok:
			rep.Cases[i] = r
		case byIndex[i] != nil:
			rep.Cases[i] = *byIndex[i]
		default:
			return nil, fmt.Errorf("wasmbox: the eval harness left case %d (%s) without a result", i+1, cases[i].Name)
		}
	}
	return rep, nil
}

// onlySyntaxErrors reports whether every violation is a syntax error. Such
// code is not rejected: the interpreter reports the error, with its own
// message and line, as the load error.
func onlySyntaxErrors(v []validate.Violation) bool {
	for _, x := range v {
		if x.Rule != validate.RuleSyntaxError {
			return false
		}
	}
	return true
}

// instanceRun is what one harness instance did.
type instanceRun struct {
	res       *ExecResult
	loadError *evaltest.ErrorInfo
	ended     bool          // the harness ran every case
	current   int           // the case running when the instance ended, or -1
	elapsed   time.Duration // how long that case had run
	timedOut  bool          // the host stopped the instance at that case's timeout
}

// failure describes why the instance died in the running case.
func (r *instanceRun) failure() evaltest.ErrorInfo {
	switch {
	case r.res.MemoryExceeded:
		return evaltest.ErrorInfo{Type: "MemoryError", Message: "the case hit the memory limit and the instance was stopped", Traceback: r.res.Stderr}
	case r.res.ExitCode == ExitCrashed:
		return evaltest.ErrorInfo{Type: "Crash", Message: "the interpreter crashed while running the case (a WebAssembly trap, e.g. a stack overflow)", Traceback: r.res.Stderr}
	}
	return evaltest.ErrorInfo{Type: "Exit", Message: fmt.Sprintf("the interpreter exited with status %d while running the case", r.res.ExitCode), Traceback: r.res.Stderr}
}

// runInstance starts the harness at case next and watches its progress
// lines, stopping it when a case (or loading) overruns.
func (t *EvalTester) runInstance(ctx context.Context, s *Sandbox, next, total int) (*instanceRun, error) {
	w := newProgressWatcher(t.timeout, func(i int) { t.progress(i+1, total) })
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer w.stop()
	go w.watch(cancel)

	// The harness runs as the guard's target, trusted like the standard
	// library; the eval code it loads is held to the policy.
	args := evaltest.HarnessArgs(t.function, testerCasesPath, testerResultsPath, next)
	argv := t.runner.engine.guardConfig(evaltest.HarnessDir).Argv(t.runner.Policy(), "file", evaltest.HarnessPath, args)
	command := QuoteCommand(append([]string{"python3", evaltest.HarnessPath}, args...))
	// No timeout for the instance as a whole: the watcher stops it when a
	// single case (or the loading) overruns.
	res, err := s.run(runCtx, command, argv, nil, ExecOptions{Stdout: w, Timeout: math.MaxInt64})
	w.stop()
	run, loadTimedOut := w.outcome()
	run.res = res
	// A cancel by the watcher is how an overrunning case ends; a cancel of
	// ctx, or any other error, ends the test.
	if err != nil && (ctx.Err() != nil || !errors.Is(err, context.Canceled)) {
		return nil, err
	}
	if loadTimedOut {
		run.loadError = &evaltest.ErrorInfo{Type: "Timeout", Message: fmt.Sprintf("loading the eval code took longer than %v", t.timeout)}
	}
	return &run, nil
}

// progressWatcher reads the harness's progress lines from its stdout and
// stops the instance when the running case, or the loading of the eval code,
// passes its deadline.
type progressWatcher struct {
	timeout time.Duration // per case
	onDone  func(index int)
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu           sync.Mutex
	line         []byte // a progress line not yet ended
	run          instanceRun
	started      time.Time // when the running case started
	loadDeadline time.Time
	loaded       bool
	loadTimedOut bool
}

func newProgressWatcher(timeout time.Duration, onDone func(index int)) *progressWatcher {
	w := &progressWatcher{timeout: timeout, onDone: onDone, wake: make(chan struct{}, 1), done: make(chan struct{})}
	w.run.current = -1
	w.loadDeadline = time.Now().Add(timeout + loadAllowance)
	return w
}

// Write implements io.Writer for the guest's stdout.
func (w *progressWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		if ev, ok := evaltest.ParseEvent(w.line[:i]); ok {
			w.handle(ev)
		}
		w.line = w.line[i+1:]
	}
}

// handle applies one progress event. The caller holds w.mu.
func (w *progressWatcher) handle(ev evaltest.Event) {
	switch ev.Kind {
	case "loaded":
		w.loaded = true
	case "load_error":
		w.run.loadError = ev.Error
	case "start":
		w.run.current, w.started = ev.Index, time.Now()
	case "done":
		w.run.current = -1
		w.onDone(ev.Index)
	case "end":
		w.run.ended = true
	}
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// deadline is when the instance must be stopped, or zero for never. The
// caller holds w.mu.
func (w *progressWatcher) deadline() time.Time {
	switch {
	case w.run.current >= 0:
		return w.started.Add(w.timeout)
	case !w.loaded && w.run.loadError == nil:
		return w.loadDeadline
	}
	return time.Time{}
}

// watch calls cancel when the instance passes its deadline, and returns
// then or when stop is called.
func (w *progressWatcher) watch(cancel func()) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		w.mu.Lock()
		deadline := w.deadline()
		w.mu.Unlock()
		timer.Stop()
		var fire <-chan time.Time
		if !deadline.IsZero() {
			timer.Reset(time.Until(deadline))
			fire = timer.C
		}
		select {
		case <-w.done:
			return
		case <-w.wake:
		case <-fire:
			w.mu.Lock()
			if w.run.current >= 0 {
				w.run.timedOut = true
				w.run.elapsed = time.Since(w.started)
			} else if !w.loaded {
				w.loadTimedOut = true
			}
			w.mu.Unlock()
			cancel()
			return
		}
	}
}

func (w *progressWatcher) stop() { w.once.Do(func() { close(w.done) }) }

// outcome returns what the instance did, once it has ended.
func (w *progressWatcher) outcome() (instanceRun, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	run := w.run
	if run.current >= 0 && !run.timedOut {
		run.elapsed = time.Since(w.started)
	}
	return run, w.loadTimedOut
}
