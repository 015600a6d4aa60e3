package server

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// limiter lets a fixed number of executions run at once and a bounded
// number of requests wait for a slot, for a bounded time.
type limiter struct {
	slots    chan struct{}
	maxQueue int64
	timeout  time.Duration
	draining <-chan struct{}
	waiting  atomic.Int64
	onQueue  func(float64) // called with the queue depth when it changes
}

func newLimiter(concurrency, maxQueue int, timeout time.Duration, draining <-chan struct{}, onQueue func(float64)) *limiter {
	return &limiter{slots: make(chan struct{}, concurrency), maxQueue: int64(maxQueue), timeout: timeout, draining: draining, onQueue: onQueue}
}

// running returns how many slots are taken.
func (l *limiter) running() int { return len(l.slots) }

// acquire takes a slot, waiting in the queue if there is room. It returns
// a function that gives the slot back, or the error to answer: 429 when the
// queue is full, 503 when the wait passed the queue timeout or the server is
// shutting down. A ctx canceled while waiting (the client went away) gives
// a 499-style error that nobody will read.
func (l *limiter) acquire(ctx context.Context) (release func(), e *apiError) {
	select {
	case <-l.draining:
		return nil, shuttingDown()
	default:
	}
	release = func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	if n := l.waiting.Add(1); n > l.maxQueue {
		l.waiting.Add(-1)
		return nil, &apiError{Status: http.StatusTooManyRequests, Code: CodeCapacityExceeded, RetryAfter: retryAfterQueueFull,
			Message: "too many requests: every execution slot is busy and the wait queue is full; retry later"}
	} else {
		l.onQueue(float64(n))
	}
	defer func() { l.onQueue(float64(l.waiting.Add(-1))) }()
	timer := time.NewTimer(l.timeout)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-timer.C:
		return nil, &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable,
			Message: "overloaded: no execution slot came free within " + l.timeout.String() + "; retry later"}
	case <-l.draining:
		return nil, shuttingDown()
	case <-ctx.Done():
		return nil, clientClosed()
	}
}

func shuttingDown() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Code: CodeShuttingDown, RetryAfter: retryAfterUnavailable,
		Message: "the server is shutting down; retry on another instance or later"}
}

// clientClosed is the outcome of a request whose client went away; the
// status is nginx's 499, which no client sees.
func clientClosed() *apiError {
	return &apiError{Status: 499, Code: CodeClientClosed, Message: "the client closed the connection"}
}
