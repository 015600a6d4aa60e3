package runtime

import (
	"context"
	"sync/atomic"
	"time"
)

// The guest's monotonic clock is one per instance, so that what the guest
// measures from its own start counts from the run's start. wasi-libc's
// clock() (CPython's time.process_time) is the monotonic clock minus its
// reading when libc started; in an instance restored from the snapshot,
// that reading is the one the snapshot froze. So:
//
//   - taking the snapshot, the clock steps by clockStep at each reading
//     instead of following real time, and the snapshot keeps its last
//     reading;
//   - a restored instance's clock starts there and then follows real time,
//     so that process_time counts (within microseconds) from the run's
//     start, and no reading is below one the snapshot holds;
//   - a warm instance's clock stands still while it waits for its job.

// clockOrigin is the first reading of a fresh instance's clock.
const clockOrigin = int64(time.Second)

// clockStep is how far the snapshot run's clock moves at each reading.
const clockStep = int64(time.Microsecond)

// guestClock is one instance's monotonic clock, in nanoseconds.
type guestClock struct {
	origin   int64        // the reading at start
	start    atomic.Int64 // sinceEpoch() when the reading was origin
	paused   atomic.Int64 // sinceEpoch() when paused; 0 when running
	stepping bool         // step at each reading instead of following time
	steps    atomic.Int64
}

// clockEpoch makes sinceEpoch positive and monotonic.
var clockEpoch = time.Now()

func sinceEpoch() int64 { return int64(time.Since(clockEpoch)) + 1 }

// newGuestClock returns a clock reading origin now and following real time.
func newGuestClock(origin int64) *guestClock {
	c := &guestClock{origin: origin}
	c.start.Store(sinceEpoch())
	return c
}

// newSteppingClock returns a clock that moves by clockStep at each reading.
func newSteppingClock(origin int64) *guestClock {
	return &guestClock{origin: origin, stepping: true}
}

// nanotime is the clock's reading; it never goes back.
func (c *guestClock) nanotime() int64 {
	if c.stepping {
		return c.origin + c.steps.Add(1)*clockStep
	}
	now := sinceEpoch()
	if p := c.paused.Load(); p != 0 {
		now = p
	}
	return c.origin + now - c.start.Load()
}

// pause stops the clock until resume: the guest is blocked waiting.
func (c *guestClock) pause() { c.paused.CompareAndSwap(0, sinceEpoch()) }

// resume restarts a paused clock from where it stood.
func (c *guestClock) resume() {
	if p := c.paused.Swap(0); p != 0 {
		c.start.Add(sinceEpoch() - p)
	}
}

type clockKey struct{}

// withClock gives the instance's host functions (pollOneoff) its clock.
func withClock(ctx context.Context, c *guestClock) context.Context {
	return context.WithValue(ctx, clockKey{}, c)
}

// clockOf returns the clock withClock put in ctx, or processClock.
func clockOf(ctx context.Context) *guestClock {
	if c, ok := ctx.Value(clockKey{}).(*guestClock); ok {
		return c
	}
	return processClock
}

// processClock stands in for an instance's clock where ctx has none.
var processClock = newGuestClock(clockOrigin)
