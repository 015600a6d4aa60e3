package evaltest

import (
	"bytes"
	"io"
)

// tracker sits between the cases file and the json.Decoder. It keeps the
// bytes from the start of the current case to the furthest point read, so
// that errors can be located by line and column and re-checked, and counts
// the newlines in what it has let go of.
type tracker struct {
	r      io.Reader
	mem    []byte // backing store of buf
	buf    []byte // retained bytes, a window into mem; buf[0] is at offset base
	base   int64
	out    int64 // offset of the next byte to hand to the decoder
	err    error // sticky error from r
	lines  int   // newlines before base
	lastNL int64 // offset of the last newline before base, or -1
}

const trackerChunk = 32 << 10

var utf8BOM = []byte("\xef\xbb\xbf")

// fill reads more of r into buf. It returns an error only when it read nothing.
func (t *tracker) fill() error {
	if t.err != nil {
		return t.err
	}
	if cap(t.buf)-len(t.buf) < trackerChunk/2 {
		// Slide the window to the start of mem, growing mem if it is
		// more than half full, so that copying stays amortised.
		if 2*(len(t.buf)+trackerChunk) > cap(t.mem) {
			t.mem = make([]byte, 2*(len(t.buf)+trackerChunk))
		}
		t.buf = t.mem[:copy(t.mem, t.buf)]
	}
	n, err := t.r.Read(t.buf[len(t.buf):cap(t.buf)])
	t.buf = t.buf[:len(t.buf)+n]
	if err != nil {
		t.err = err
		if n == 0 {
			return err
		}
	}
	return nil
}

// end is the offset just past everything read so far.
func (t *tracker) end() int64 { return t.base + int64(len(t.buf)) }

func (t *tracker) Read(p []byte) (int, error) {
	for t.out >= t.end() {
		if err := t.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, t.buf[t.out-t.base:])
	t.out += int64(n)
	return n, nil
}

// trackerReader reads the tracker's input from offset off on, retaining
// everything it reads. It serves to decode a bad value again.
type trackerReader struct {
	t   *tracker
	off int64
}

func (r *trackerReader) Read(p []byte) (int, error) {
	for r.off >= r.t.end() {
		if err := r.t.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.t.buf[r.off-r.t.base:])
	r.off += int64(n)
	return n, nil
}

// peekNonSpace skips a leading UTF-8 byte order mark and returns the first
// byte that is not white space and its offset, reading as needed but
// handing nothing to the decoder. It must be called before the first Read.
func (t *tracker) peekNonSpace() (byte, int64, error) {
	for len(t.buf) < len(utf8BOM) {
		if err := t.fill(); err != nil {
			break
		}
	}
	if bytes.HasPrefix(t.buf, utf8BOM) {
		t.buf = t.buf[len(utf8BOM):]
	}
	for i := t.out; ; i++ {
		for i >= t.end() {
			if err := t.fill(); err != nil {
				return 0, i, err
			}
		}
		if c := t.buf[i-t.base]; !isSpace(c) {
			return c, i, nil
		}
	}
}

// bytesFrom returns the retained bytes from offset off on.
func (t *tracker) bytesFrom(off int64) []byte {
	if off < t.base {
		off = t.base
	}
	if off > t.end() {
		return nil
	}
	return t.buf[off-t.base:]
}

// release lets go of the bytes before offset off.
func (t *tracker) release(off int64) {
	if off <= t.base {
		return
	}
	if off > t.end() {
		off = t.end()
	}
	drop := t.buf[:off-t.base]
	if k := bytes.Count(drop, []byte{'\n'}); k > 0 {
		t.lines += k
		t.lastNL = t.base + int64(bytes.LastIndexByte(drop, '\n'))
	}
	t.buf = t.buf[off-t.base:]
	t.base = off
}

// pos returns the 1-based line and column of offset off (off >= base).
func (t *tracker) pos(off int64) (line, col int) {
	if off < t.base {
		off = t.base
	}
	if off > t.end() {
		off = t.end()
	}
	kept := t.buf[:off-t.base]
	line = t.lines + bytes.Count(kept, []byte{'\n'}) + 1
	lastNL := t.lastNL
	if i := bytes.LastIndexByte(kept, '\n'); i >= 0 {
		lastNL = t.base + int64(i)
	}
	return line, int(off - lastNL)
}
