package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// admission is what an execution asks of the server.
type admission struct {
	// bytes is its share of the host memory budget.
	bytes int64
	// within, when set, bounds the whole execution; past it the answer is
	// 504.
	within time.Duration
}

// footprint is the host memory an execution in a sandbox of its own may
// take: its memory limit and its sandbox's filesystem cap, which fsExtra
// adds to (the eval tester's sandbox has room for its cases).
func footprint(memory uint64, fsExtra int64) int64 {
	return int64(memory) + runtime.DefaultMaxFSBytes + fsExtra
}

// errPastDeadline is the cause of an execution stopped at admission.within.
var errPastDeadline = errors.New("the request passed its deadline")

// execute runs fn, which starts interpreter instances, in an execution
// slot: it waits for the slot and its share of the host memory budget (or
// refuses with 429/503), counts the execution in the metrics, and gives fn a
// context that ends when the client goes away, the server stops running
// executions, or adm.within passes. fn returns the execution's outcome. The
// error, if any, is the answer to give.
func (s *Server) execute(r *http.Request, kind string, adm admission, fn func(ctx context.Context) (outcome string, err error)) *apiError {
	release, e := s.limiter.acquireBytes(r.Context(), adm.bytes)
	if e != nil {
		if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
			s.metrics.shed.WithLabelValues(strconv.Itoa(e.Status)).Inc()
		}
		return e
	}
	defer release()
	ctx, cancel := s.execContext(r.Context())
	defer cancel()
	if adm.within > 0 {
		var cancelCause context.CancelCauseFunc
		ctx, cancelCause = context.WithCancelCause(ctx)
		defer cancelCause(nil)
		defer time.AfterFunc(adm.within, func() { cancelCause(errPastDeadline) }).Stop()
	}

	s.metrics.running.Inc()
	start := time.Now()
	outcome, err := fn(ctx)
	s.metrics.running.Dec()
	s.metrics.execDuration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	if err != nil && ctx.Err() != nil {
		outcome = "canceled"
	}
	s.metrics.executions.WithLabelValues(kind, outcome).Inc()
	setOutcome(r, outcome)
	switch {
	case errors.Is(context.Cause(ctx), errPastDeadline) && r.Context().Err() == nil && s.hardStop.Err() == nil:
		return &apiError{Status: http.StatusGatewayTimeout, Code: CodeDeadlineExceeded,
			Message: fmt.Sprintf("the whole /v1/%s request ran past this server's limit of %v (--max-test-duration) and was stopped; send fewer cases, or cases that finish sooner", kind, adm.within)}
	case err == nil:
		return nil
	case r.Context().Err() != nil:
		return clientClosed()
	case s.hardStop.Err() != nil:
		return &apiError{Status: http.StatusServiceUnavailable, Code: CodeShuttingDown, RetryAfter: retryAfterUnavailable,
			Message: "the server shut down before the execution finished; it was canceled"}
	}
	s.log.Warn("execution failed", "kind", kind, "err", err)
	return errorf(http.StatusInternalServerError, CodeSandboxError, "the sandbox failed: %v", err)
}

// execOutcome names how an execution went, for metrics and logs.
func execOutcome(res *runtime.ExecResult) string {
	if res == nil {
		return "sandbox_error"
	}
	switch res.ExitCode {
	case 0:
		return "ok"
	case runtime.ExitRejected:
		if len(res.Violations) > 0 {
			return "rejected"
		}
	case runtime.ExitNotFound:
		return "not_found"
	case runtime.ExitCanceled:
		return "canceled"
	case runtime.ExitCrashed:
		return "crashed"
	case runtime.ExitSandboxFailure:
		return "sandbox_error"
	}
	switch {
	case res.TimedOut:
		return "timeout"
	case res.MemoryExceeded:
		return "memory"
	}
	return "error"
}
