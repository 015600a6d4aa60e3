package evaltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// loadAllowance is added to the per-case timeout for loading the evaluation
// code in a fresh instance: the interpreter's own start-up is not the code's.
const loadAllowance = 2 * time.Second

// Exit is how a harness instance ended, as the sandbox saw it.
type Exit struct {
	Code           int    // the exit status
	MemoryExceeded bool   // the guest asked for memory past its limit
	Crashed        bool   // a WebAssembly trap ended it
	Stderr         string // what it wrote to standard error (capped)
}

// Launcher runs the harness (HarnessArgv) once in a fresh interpreter
// instance over the test's sandbox, with stdin and stdout as the guest's
// standard input and output, until it exits or ctx is done, which stops it.
// The error is for failures of the sandbox itself; a stop through ctx is not
// one.
type Launcher func(ctx context.Context, stdin io.Reader, stdout io.Writer) (Exit, error)

// Config configures Run.
type Config struct {
	// Function names the function under test, for the report.
	Function string
	// Timeout is the wall-clock limit of each case.
	Timeout time.Duration
	// Progress, when set, is called as cases finish with how many have
	// finished (cases run in order) and how many there are.
	Progress func(finished, total int)
}

// Run runs cases through the harness, started with launch, and judges each
// reply on the host. A case that overruns its timeout, breaks the protocol,
// hits the memory limit or crashes the instance is recorded as such, and the
// rest go on in a fresh instance. A load error ends the run with no case
// reported. The report's Violations and Duration are the caller's to set.
func Run(ctx context.Context, cfg Config, cases []Case, launch Launcher) (*Report, error) {
	rep := &Report{Function: cfg.Function}
	progress := cfg.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	results := make([]*CaseResult, len(cases))
	record := func(r CaseResult) {
		results[r.Index] = &r
		progress(r.Index+1, len(cases))
	}
	for next := 0; next < len(cases); {
		runCtx, cancel := context.WithCancel(ctx)
		c := newConductor(cases, next, cfg.Timeout, cfg.Timeout+loadAllowance, record, cancel)
		go c.watch()
		exit, err := launch(runCtx, c, c)
		c.close()
		cancel()
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("wasmbox: %w", ctx.Err())
		case err != nil && !(errors.Is(err, context.Canceled) && c.stopped()):
			return nil, err
		}
		var loadErr *ErrorInfo
		next, loadErr = c.end(exit)
		if loadErr != nil {
			rep.LoadError = loadErr
			rep.Tally()
			return rep, nil
		}
	}
	rep.Cases = make([]CaseResult, len(cases))
	for i, r := range results {
		if r == nil {
			return nil, fmt.Errorf("wasmbox: the eval harness left case %d (%s) without a result", i+1, cases[i].Name)
		}
		rep.Cases[i] = *r
	}
	rep.Tally()
	return rep, nil
}

// stopped reports whether the conductor stopped the instance.
func (c *conductor) stopped() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timedOut || c.violation != nil
}

// end settles the instance once it has ended as exit says: the case it was
// running gets its result, and end returns the index to go on from, or the
// load error that ends the test.
func (c *conductor) end(exit Exit) (next int, loadErr *ErrorInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current < 0 && c.loadError == nil && c.violation == nil && !c.timedOut && c.phase != phaseLoading {
		return len(c.cases), nil // every case ran
	}
	if c.current < 0 { // still loading
		switch line, ok := c.line(); {
		case c.loadError != nil:
			return 0, c.loadError
		case c.violation != nil:
			return 0, c.violation
		case c.timedOut:
			return 0, &ErrorInfo{Type: "Timeout", Message: fmt.Sprintf("loading the eval code took longer than %v", c.timeout)}
		case ok:
			if l, err := parseLoadLine(line); err == nil && l.LoadError != nil {
				return 0, l.LoadError
			}
		}
		info := failure(exit, "loading the eval code", "while loading the eval code")
		return 0, &info
	}
	i, cs := c.current, &c.cases[c.current]
	elapsed := time.Since(c.started)
	if c.violation != nil {
		c.finish(ErrorResult(i, cs, elapsed, *c.violation))
		return i + 1, nil
	}
	// A reply that came in time still counts when the instance then ended
	// (or overran) before reading the next case.
	if line, ok := c.line(); ok && (!c.timedOut || c.replyAt.Sub(c.started) <= c.timeout) {
		if r, err := parseReply(line, i); err == nil {
			c.finish(judge(i, cs, r, c.replyAt.Sub(c.started)))
			return i + 1, nil
		}
	}
	if c.timedOut {
		c.finish(TimeoutResult(i, cs, c.timeout, c.elapsed))
	} else {
		c.finish(ErrorResult(i, cs, elapsed, failure(exit, "the case", "while running the case")))
	}
	return i + 1, nil
}

// failure describes why an instance ended early in what it was doing (who),
// when says at what point.
func failure(exit Exit, who, when string) ErrorInfo {
	switch {
	case exit.MemoryExceeded:
		return ErrorInfo{Type: "MemoryError", Message: who + " hit the memory limit and the instance was stopped", Traceback: exit.Stderr}
	case exit.Crashed:
		return ErrorInfo{Type: "Crash", Message: "the interpreter crashed " + when + " (a WebAssembly trap, e.g. a stack overflow)", Traceback: exit.Stderr}
	}
	return ErrorInfo{Type: "Exit", Message: fmt.Sprintf("the interpreter exited with status %d %s", exit.Code, when), Traceback: exit.Stderr}
}
