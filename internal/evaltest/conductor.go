package evaltest

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// A conductor is the host's end of one harness instance: the guest's
// standard input (the cases, one at a time) and its standard output (the
// harness's lines). The guest is single-threaded and every read and write
// of its is a call into the host, so the conductor sees them in the order
// the guest made them. A read of standard input is the sync point: the
// harness reads only after replying, so everything written since the case
// was handed out must then be exactly one well-formed reply for it. Whatever
// else the code under test writes to the real stream (forged lines, replies
// for other cases, a read of the next case) is a protocol violation, which
// ends the instance and makes the running case an error. The conductor also
// stops the instance when the running case, or the loading, overruns.
type conductor struct {
	cases    []Case
	timeout  time.Duration // per case
	onResult func(CaseResult)
	stop     func() // ends the instance; safe to call more than once
	wake     chan struct{}
	done     chan struct{}
	doneOnce sync.Once

	mu           sync.Mutex
	phase        phase
	window       []byte    // what the guest wrote since the last sync point
	replyAt      time.Time // when window's first line ended
	next         int       // the next case to hand out
	current      int       // the case handed out last, while phaseRunning
	started      time.Time // when current was handed out
	pending      []byte    // the rest of current's request line
	loadDeadline time.Time
	loadError    *ErrorInfo
	violation    *ErrorInfo // a protocol violation in current (or the loading)
	timedOut     bool
	elapsed      time.Duration // how long current ran, when it timed out
}

// phase is where the instance stands in the protocol.
type phase int

const (
	phaseLoading phase = iota // until the first read: the load line
	phaseRunning              // current handed out, its reply awaited
	phaseEnded                // no case left, or stopped: nothing more is read
)

// newConductor serves cases from index next on; onResult receives each case
// the instance finishes; stop ends the instance.
func newConductor(cases []Case, next int, timeout, loadTimeout time.Duration, onResult func(CaseResult), stop func()) *conductor {
	return &conductor{
		cases: cases, next: next, current: -1, timeout: timeout, onResult: onResult, stop: stop,
		wake: make(chan struct{}, 1), done: make(chan struct{}),
		loadDeadline: time.Now().Add(loadTimeout),
	}
}

// Write receives the guest's standard output. It never fails: a guest must
// not learn anything from an error it could catch.
func (c *conductor) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseEnded {
		return len(p), nil
	}
	if c.replyAt.IsZero() {
		if i := bytes.IndexByte(p, '\n'); i >= 0 && len(c.window)+i < maxReplyBytes {
			c.replyAt = time.Now()
		}
	}
	c.window = append(c.window, p[:min(len(p), maxReplyBytes+1-len(c.window))]...)
	switch lines := bytes.Count(c.window, []byte{'\n'}); {
	case len(c.window) > maxReplyBytes && lines == 0:
		c.violate(fmt.Sprintf("the reply is longer than %d MiB: the return value (or what the call printed) is too large, or the code wrote to the harness's channel", maxReplyBytes>>20))
	case lines > 1:
		c.violate("the guest wrote more than one line where one reply was due")
	}
	return len(p), nil
}

// Read gives the guest its standard input: at a sync point, the next case,
// or end of file when none is left.
func (c *conductor) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase == phaseEnded {
		return 0, io.EOF
	}
	if len(c.pending) == 0 && !c.sync() {
		return 0, io.EOF
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// sync checks what the guest wrote since the last sync point and hands out
// the next case. It reports false when there is none, or the instance ended.
// The caller holds c.mu.
func (c *conductor) sync() bool {
	switch c.phase {
	case phaseLoading:
		if !c.takeLoadLine() {
			return false
		}
	case phaseRunning:
		r, err := c.takeReply()
		if err != "" {
			c.violate(err)
			return false
		}
		c.finish(judge(c.current, &c.cases[c.current], r, c.replyAt.Sub(c.started)))
		c.window, c.replyAt = c.window[:0], time.Time{}
	}
	if c.next >= len(c.cases) {
		c.phase = phaseEnded
		return false
	}
	c.phase, c.current, c.started = phaseRunning, c.next, time.Now()
	c.pending = request(c.current, &c.cases[c.current])
	c.next++
	c.poke()
	return true
}

// takeLoadLine reads the load line from the window. It reports whether the
// code loaded; if it did not, the phase has ended. The caller holds c.mu.
func (c *conductor) takeLoadLine() bool {
	line, ok := c.line()
	if !ok {
		c.violate("the guest read its first case before the harness said it was ready")
		return false
	}
	l, err := parseLoadLine(line)
	switch {
	case err != nil:
		c.violate("malformed load line: " + err.Error())
		return false
	case l.LoadError != nil:
		c.loadError, c.phase = l.LoadError, phaseEnded
		c.poke()
		return false
	}
	c.window, c.replyAt = c.window[:0], time.Time{}
	return true
}

// takeReply reads the current case's reply from the window, or says what is
// wrong with it. It leaves the window as it is. The caller holds c.mu.
func (c *conductor) takeReply() (*reply, string) {
	line, ok := c.line()
	if !ok {
		return nil, fmt.Sprintf("the guest read the next case without replying to case %d", c.current+1)
	}
	r, err := parseReply(line, c.current)
	if err != nil {
		return nil, "malformed reply: " + err.Error()
	}
	return r, ""
}

// line returns the window when it holds exactly one line. The caller holds c.mu.
func (c *conductor) line() ([]byte, bool) {
	i := bytes.IndexByte(c.window, '\n')
	if i < 0 || i != len(c.window)-1 {
		return nil, false
	}
	return c.window[:i], true
}

// violate records a protocol violation in the running case (or the
// loading) and stops the instance. The caller holds c.mu.
func (c *conductor) violate(msg string) {
	if c.phase == phaseEnded {
		return
	}
	c.violation = &ErrorInfo{Type: "ProtocolError", Message: msg}
	c.phase = phaseEnded
	c.stop()
	c.poke()
}

// finish reports a case's result and clears the running case. The caller
// holds c.mu.
func (c *conductor) finish(r CaseResult) {
	c.current = -1
	c.onResult(r)
}

func (c *conductor) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// deadline is when the instance must be stopped, or zero for never. The
// caller holds c.mu.
func (c *conductor) deadline() time.Time {
	switch {
	case c.phase == phaseLoading:
		return c.loadDeadline
	case c.phase == phaseRunning && c.current >= 0:
		return c.started.Add(c.timeout)
	}
	return time.Time{}
}

// watch stops the instance when it passes its deadline, and returns then or
// when close is called.
func (c *conductor) watch() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.mu.Lock()
		deadline := c.deadline()
		c.mu.Unlock()
		timer.Stop()
		var fire <-chan time.Time
		if !deadline.IsZero() {
			timer.Reset(time.Until(deadline))
			fire = timer.C
		}
		select {
		case <-c.done:
			return
		case <-c.wake:
		case <-fire:
			c.mu.Lock()
			if !c.deadline().After(time.Now()) && c.phase != phaseEnded {
				c.timedOut, c.elapsed, c.phase = true, time.Since(c.started), phaseEnded
				c.stop()
			}
			c.mu.Unlock()
		}
	}
}

func (c *conductor) close() { c.doneOnce.Do(func() { close(c.done) }) }
