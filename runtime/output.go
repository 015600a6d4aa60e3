package runtime

import (
	"bytes"
	"io"
	"sync"
)

// cappedBuffer keeps the first max bytes written to it and counts the rest
// as dropped. It never fails a write, so a guest that floods its output is
// not stopped by an error it could catch; it is only cut off. Everything
// kept is also copied to live, if set, as it arrives.
type cappedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	max     int64
	dropped int64
	live    io.Writer
	// streamOnly passes every write on to live and keeps nothing.
	streamOnly bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.streamOnly {
		if c.live != nil {
			_, _ = c.live.Write(p)
		}
		return len(p), nil
	}
	keep := p
	if room := c.max - int64(c.buf.Len()); int64(len(p)) > room {
		keep = p[:max(room, 0)]
		c.dropped += int64(len(p) - len(keep))
	}
	c.buf.Write(keep)
	if c.live != nil && len(keep) > 0 {
		// A failing live writer (a client gone away) must not fail the guest.
		_, _ = c.live.Write(keep)
	}
	return len(p), nil
}

// result returns what was kept and whether anything was dropped.
func (c *cappedBuffer) result() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.dropped > 0
}
