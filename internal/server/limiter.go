package server

import (
	"container/list"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// limiter admits executions: a fixed number run at once, and together they
// (with the live sessions' reservations) stay within a host memory budget.
// A request that cannot start waits in a bounded FIFO queue for a bounded
// time. The queue is strict: a waiter that needs more memory than is free
// is not overtaken, so large requests are not starved by small ones.
type limiter struct {
	maxQueue int64
	timeout  time.Duration
	draining <-chan struct{}
	onQueue  func(float64) // called with the queue depth when it changes
	waiting  atomic.Int64  // the queue's length, for metrics and tests

	slots chan struct{} // one element per running execution

	mu     sync.Mutex
	budget int64 // bytes; 0: no budget
	used   int64 // bytes reserved by running executions and live sessions
	queue  list.List
}

// waiter is a request in the queue; granted is closed when it is admitted.
type waiter struct {
	need    int64
	granted chan struct{}
}

func newLimiter(concurrency, maxQueue int, timeout time.Duration, draining <-chan struct{}, onQueue func(float64)) *limiter {
	return &limiter{slots: make(chan struct{}, concurrency), maxQueue: int64(maxQueue), timeout: timeout, draining: draining, onQueue: onQueue}
}

// setBudget sets the host memory budget in bytes; 0 means none.
func (l *limiter) setBudget(bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget = bytes
}

// running returns how many executions run now.
func (l *limiter) running() int { return len(l.slots) }

// takeSlot takes an execution slot if one is free. The caller holds mu.
func (l *limiter) takeSlot() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// reserved returns the bytes of the budget in use.
func (l *limiter) reserved() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.used
}

// fits reports whether need more bytes fit the budget. The caller holds mu.
func (l *limiter) fits(need int64) bool {
	return l.budget == 0 || l.used+need <= l.budget
}

// acquire takes an execution slot that reserves no memory; see acquireBytes.
func (l *limiter) acquire(ctx context.Context) (release func(), e *apiError) {
	return l.acquireBytes(ctx, 0)
}

// acquireBytes takes an execution slot and need bytes of the budget,
// waiting in the queue if there is room. It returns a function that gives
// both back, or the error to answer: 429 when the queue is full, 503 when
// the wait passed the queue timeout or the server is shutting down, 400
// when need is more than the whole budget. A ctx canceled while waiting
// (the client went away) gives a 499-style error that nobody will read.
func (l *limiter) acquireBytes(ctx context.Context, need int64) (release func(), e *apiError) {
	select {
	case <-l.draining:
		return nil, shuttingDown()
	default:
	}
	release = func() { l.give(need) }
	l.mu.Lock()
	if l.budget > 0 && need > l.budget {
		l.mu.Unlock()
		return nil, overBudget(need, l.budget)
	}
	if l.queue.Len() == 0 && l.fits(need) && l.takeSlot() {
		l.used += need
		l.mu.Unlock()
		return release, nil
	}
	if int64(l.queue.Len()) >= l.maxQueue {
		l.mu.Unlock()
		return nil, &apiError{Status: http.StatusTooManyRequests, Code: CodeCapacityExceeded, RetryAfter: retryAfterQueueFull,
			Message: "too many requests: every execution slot (or the host memory budget) is taken and the wait queue is full; retry later"}
	}
	w := &waiter{need: need, granted: make(chan struct{})}
	elem := l.queue.PushBack(w)
	l.onQueue(float64(l.waiting.Add(1)))
	l.mu.Unlock()

	timer := time.NewTimer(l.timeout)
	defer timer.Stop()
	select {
	case <-w.granted:
		return release, nil
	case <-timer.C:
		e = &apiError{Status: http.StatusServiceUnavailable, Code: CodeCapacityExceeded, RetryAfter: retryAfterUnavailable,
			Message: "overloaded: no execution slot (or room in the host memory budget) came free within " + l.timeout.String() + "; retry later"}
	case <-l.draining:
		e = shuttingDown()
	case <-ctx.Done():
		e = clientClosed()
	}
	if !l.leave(elem, w) {
		// Admitted as it gave up: hand the admission back.
		l.give(need)
	}
	return nil, e
}

// leave takes w out of the queue; false when it was admitted already.
func (l *limiter) leave(elem *list.Element, w *waiter) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-w.granted:
		return false
	default:
	}
	l.queue.Remove(elem)
	l.onQueue(float64(l.waiting.Add(-1)))
	l.admit()
	return true
}

// give ends an execution: its slot and bytes go back, and waiters that now
// fit are admitted.
func (l *limiter) give(need int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	<-l.slots
	l.used -= need
	l.admit()
}

// admit lets in the waiters at the head of the queue while they fit. The
// caller holds mu.
func (l *limiter) admit() {
	for l.queue.Len() > 0 {
		w := l.queue.Front().Value.(*waiter)
		if !l.fits(w.need) || !l.takeSlot() {
			return
		}
		l.queue.Remove(l.queue.Front())
		l.onQueue(float64(l.waiting.Add(-1)))
		l.used += w.need
		close(w.granted)
	}
}

// reserve takes need bytes of the budget for something that lives beside
// the executions (a session's filesystem), without waiting: false when they
// do not fit now with headroom bytes left over (so that live sessions never
// take the room every execution needs). unreserve gives them back.
func (l *limiter) reserve(need, headroom int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.fits(need + headroom) {
		return false
	}
	l.used += need
	return true
}

func (l *limiter) unreserve(need int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.used -= need
	l.admit()
}

// overBudget answers a request that needs more than the whole budget: it
// could never start.
func overBudget(need, budget int64) *apiError {
	return badRequest("the execution needs %d MiB (its memory limit and filesystem cap), more than this server's whole host memory budget of %d MiB (--max-host-memory); ask for less memory", need>>20, budget>>20)
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
