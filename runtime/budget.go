package runtime

import (
	"errors"
	"fmt"
	"io"
)

// The CPU budget counts units of work: the preemption points a reactor
// build reaches (it calls sched_yield every wasmbin.PreemptInterval loop
// iterations). The host counts them as the guest calls in, so the count
// does not depend on how loaded the host is, and the guest cannot change it.
// One unit is about 13 000 iterations of `for i in range(n): pass`, 4 400 of
// `while i < n: i += 1`, about a millisecond of one core (see README).

// errBudget stops a run that used its CPU budget.
var errBudget = errors.New("wasmbox: the CPU budget is used up")

// workBudget is a job's CPU budget, counted on its instance's clock.
type workBudget struct {
	from  int64       // the clock's work count when the job started
	limit int64       // units the job may use; 0 means no limit
	stop  func(error) // stops the instance
}

// startJob starts counting the job's work from now; limit is its budget (0
// for none) and stop ends the instance when it is used up.
func (c *guestClock) startJob(limit int64, stop func(error)) {
	c.budget.Store(&workBudget{from: c.work.Load(), limit: limit, stop: stop})
}

// jobWork is how many units of work the job has used so far.
func (c *guestClock) jobWork() int64 {
	n := c.work.Load()
	if b := c.budget.Load(); b != nil {
		n -= b.from
	}
	return n
}

// tick counts a unit of work (a preemption point). It reports false when
// that used up the job's budget: the instance has been stopped.
func (c *guestClock) tick() bool {
	n := c.work.Add(1)
	b := c.budget.Load()
	if b == nil || b.limit <= 0 || n-b.from < b.limit {
		return true
	}
	b.stop(errBudget)
	return false
}

// reportBudget tells the program's stderr why it was stopped.
func reportBudget(stderr io.Writer, units int64) {
	fmt.Fprintf(stderr, "wasmbox: stopped: the program used its CPU budget of %d units\n", units)
}
