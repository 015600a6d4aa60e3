package coreutils

import (
	"io"
)

func init() { register(tee, "tee") }

var teeSpec = optSpec{
	short: "ai",
	long:  map[string]string{"append": "a", "ignore-interrupts": "i", "output-error=?": "output-error"},
}

// tee copies standard input to standard output and to each FILE (-a
// appends). A file that cannot be written is reported and dropped.
func tee(c *call) int {
	o, code := c.parseOpts(teeSpec)
	if o == nil {
		return code
	}
	type sink struct {
		name string
		w    io.WriteCloser
	}
	var sinks []*sink
	for _, name := range o.operands {
		if name == "-" {
			sinks = append(sinks, &sink{name: name, w: nopWriteCloser{c.out}})
			continue
		}
		f, err := c.create(name, o.has("a"), 0o644&^umask)
		if err != nil {
			c.errorf("%s: %s", name, errText(err))
			continue
		}
		sinks = append(sinks, &sink{name: name, w: f})
	}
	err := c.eachChunk(ctxReader{c, c.Stdin}, func(p []byte) {
		c.out.Write(p)
		c.out.Flush() // tee passes data on as it comes
		for _, s := range sinks {
			if s.w == nil {
				continue
			}
			if _, err := s.w.Write(p); err != nil {
				c.errorf("%s: %s", s.name, errText(err))
				s.w.Close()
				s.w = nil
			}
		}
	})
	for _, s := range sinks {
		if s.w != nil {
			s.w.Close()
		}
	}
	if err != nil && c.ctx.Err() == nil {
		c.errorf("read error: %s", errText(err))
	}
	return c.finish()
}

// nopWriteCloser is a writer with a Close that does nothing.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
