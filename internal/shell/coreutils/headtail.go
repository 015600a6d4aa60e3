package coreutils

import (
	"bufio"
	"errors"
	"io"
	"regexp"
)

func init() {
	register(head, "head")
	register(tail, "tail")
}

var headTailSpec = optSpec{
	short: "n:c:qvzf",
	long: map[string]string{
		"lines=": "n", "bytes=": "c", "quiet": "q", "silent": "q", "verbose": "v", "zero-terminated": "z",
		"follow": "f",
	},
}

// obsoleteCount matches "-5" (head -5, tail -5): a count of lines.
var obsoleteCount = regexp.MustCompile(`^-[0-9]+$`)

// headTailArgs rewrites the obsolete "-N" form into "-n N".
func headTailArgs(args []string) []string {
	out := make([]string, 0, len(args)+1)
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		takesValue := i > 0 && (args[i-1] == "-n" || args[i-1] == "-c" || args[i-1] == "--lines" || args[i-1] == "--bytes")
		if obsoleteCount.MatchString(a) && !takesValue {
			out = append(out, "-n", a[1:])
			continue
		}
		out = append(out, a)
	}
	return out
}

// headTail is what head and tail share: options, files, headers.
type headTail struct {
	bytes bool  // -c, else lines
	sign  byte  // '+' or '-' before the count, 0 when none
	n     int64 // the count
	delim byte  // '\n', or 0 with -z
}

// runHeadTail parses options and calls body for each input, printing
// "==> name <==" headers as GNU does.
func (c *call) runHeadTail(body func(r io.Reader, h headTail) error) int {
	o, code := c.parseArgs(headTailSpec, headTailArgs(c.Args[1:]))
	if o == nil {
		return code
	}
	if o.has("f") {
		c.errorf("following a file (-f) is not supported: the sandbox has no other writer to wait for")
		return c.finish()
	}
	h := headTail{n: 10, delim: '\n'}
	if o.has("z") {
		h.delim = 0
	}
	var err error
	for _, x := range o.list {
		if x.key != "n" && x.key != "c" {
			continue
		}
		h.bytes = x.key == "c"
		if h.sign, h.n, err = signedCount(x.val); err != nil {
			what := "lines"
			if h.bytes {
				what = "bytes"
			}
			c.errorf("invalid number of %s: %s", what, quote(x.val))
			return c.finish()
		}
	}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	headers := o.has("v") || len(names) > 1 && !o.has("q")
	shown := 0
	for _, name := range names {
		if c.stopped() {
			break
		}
		r, err := c.open(name)
		if err != nil {
			c.errorf("cannot open %s for reading: %s", quote(name), errText(err))
			continue
		}
		if headers {
			if shown++; shown > 1 {
				c.out.WriteString("\n")
			}
			shown := name
			if name == "-" {
				shown = "standard input"
			}
			c.out.WriteString("==> " + shown + " <==\n")
		}
		err = body(r, h)
		r.Close()
		if err != nil && c.ctx.Err() == nil && c.out.err == nil {
			c.errorf("error reading %s: %s", quote(name), errText(err))
		}
	}
	return c.finish()
}

// head prints the first lines (-n N, or all but the last with -n -N) or
// bytes (-c) of each file.
func head(c *call) int {
	return c.runHeadTail(func(r io.Reader, h headTail) error {
		switch {
		case h.sign == '-':
			return c.allButLast(r, h)
		case h.bytes:
			_, err := io.CopyN(c.out, r, h.n)
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		br := bufio.NewReaderSize(r, 64<<10)
		for left := h.n; left > 0 && !c.stopped(); {
			chunk, err := br.ReadSlice(h.delim)
			c.out.Write(chunk)
			switch {
			case err == nil:
				left--
			case errors.Is(err, bufio.ErrBufferFull):
			case errors.Is(err, io.EOF):
				return nil
			default:
				return err
			}
		}
		return nil
	})
}

// allButLast copies r but its last n lines or bytes, holding only those.
func (c *call) allButLast(r io.Reader, h headTail) error {
	if h.bytes {
		ring := newByteRing(h.n)
		if err := c.eachChunk(r, func(p []byte) { c.out.Write(ring.push(p)) }); err != nil {
			return err
		}
		return ring.err
	}
	var held lineQueue
	return c.eachLine(r, h.delim, withDelim(func(line []byte) error {
		if err := held.push(line); err != nil {
			return err
		}
		if int64(len(held.lines)) > h.n {
			c.out.Write(held.pop())
		}
		return nil
	}, h.delim))
}

// lineQueue holds lines, within maxHold bytes.
type lineQueue struct {
	lines [][]byte
	bytes int
}

func (q *lineQueue) push(line []byte) error {
	if q.bytes+len(line)+lineOverhead > maxHold {
		return errTooMuch
	}
	q.lines = append(q.lines, line)
	q.bytes += len(line) + lineOverhead
	return nil
}

func (q *lineQueue) pop() []byte {
	l := q.lines[0]
	q.lines = q.lines[1:]
	q.bytes -= len(l) + lineOverhead
	return l
}

// tail prints the last lines (-n N) or bytes (-c N) of each file, or from
// line or byte K on (-n +K, -c +K).
func tail(c *call) int {
	return c.runHeadTail(func(r io.Reader, h headTail) error {
		if h.sign == '+' {
			skip := max(h.n-1, 0)
			if h.bytes {
				if _, err := io.CopyN(io.Discard, r, skip); err != nil {
					return ignoreEOF(err)
				}
				return c.copyOut(r)
			}
			n := int64(0)
			return c.eachLine(r, h.delim, withDelim(func(line []byte) error {
				if n++; n > skip {
					c.out.Write(line)
				}
				return nil
			}, h.delim))
		}
		if h.bytes {
			ring := newByteRing(h.n)
			if err := c.eachChunk(r, func(p []byte) { ring.push(p) }); err != nil {
				return err
			}
			if ring.err != nil {
				return ring.err
			}
			c.out.Write(ring.held())
			return nil
		}
		var held lineQueue
		err := c.eachLine(r, h.delim, withDelim(func(line []byte) error {
			if err := held.push(line); err != nil {
				return err
			}
			if int64(len(held.lines)) > h.n {
				held.pop()
			}
			return nil
		}, h.delim))
		if err != nil {
			return err
		}
		for _, l := range held.lines {
			c.out.Write(l)
		}
		return nil
	})
}

// ignoreEOF treats a short input as the end, not an error.
func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// eachChunk calls fn with each block read from r.
func (c *call) eachChunk(r io.Reader, fn func([]byte)) error {
	buf := make([]byte, 32<<10)
	for !c.stopped() {
		n, err := r.Read(buf)
		if n > 0 {
			fn(buf[:n])
		}
		if err != nil {
			return ignoreEOF(err)
		}
	}
	return nil
}

// withDelim adds back a line's delimiter when it had one.
func withDelim(fn func(line []byte) error, delim byte) func([]byte, bool) error {
	return func(line []byte, had bool) error {
		if had {
			line = append(line, delim)
		}
		return fn(line)
	}
}

// byteRing keeps the last n bytes written to it, at most maxHold.
type byteRing struct {
	n   int64
	buf []byte
	err error // errTooMuch once it would hold more than maxHold
}

func newByteRing(n int64) *byteRing { return &byteRing{n: n} }

// push adds p and returns the bytes that fell out.
func (b *byteRing) push(p []byte) []byte {
	if b.err != nil {
		return nil
	}
	if len(b.buf)+len(p) > maxHold {
		b.err = errTooMuch
		return nil
	}
	b.buf = append(b.buf, p...)
	over := int64(len(b.buf)) - b.n
	if over <= 0 {
		return nil
	}
	out := append([]byte(nil), b.buf[:over]...)
	b.buf = append(b.buf[:0], b.buf[over:]...)
	return out
}

// held returns what the ring holds.
func (b *byteRing) held() []byte { return b.buf }
