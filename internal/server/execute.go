package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// execute runs fn, which starts interpreter instances, in an execution
// slot: it waits for the slot (or refuses with 429/503), counts the
// execution in the metrics, and gives fn a context that ends when the client
// goes away or the server stops running executions. fn returns the
// execution's outcome. The error, if any, is the answer to give.
func (s *Server) execute(r *http.Request, kind string, fn func(ctx context.Context) (outcome string, err error)) *apiError {
	release, e := s.limiter.acquire(r.Context())
	if e != nil {
		if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
			s.metrics.shed.WithLabelValues(strconv.Itoa(e.Status)).Inc()
		}
		return e
	}
	defer release()
	ctx, cancel := s.execContext(r.Context())
	defer cancel()

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
