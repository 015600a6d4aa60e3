package coreutils

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// maxLine is the longest line a line-oriented utility holds (sort, uniq,
// grep, sed, cut, ...): a longer one is an error, not an unbounded buffer.
const maxLine = 16 << 20

// errLineTooLong is a line over maxLine.
var errLineTooLong = errors.New("line too long")

// maxHold is the most input a utility keeps in memory at once (sort's
// lines, tail's last lines, sed's pattern and hold spaces, diff's files
// count against their own caps): past it the utility fails rather than
// grow without bound. A variable only so that tests can lower it.
var maxHold = 256 << 20

// lineOverhead is what holding one line costs besides its bytes (a slice
// header and the allocator's rounding), counted against maxHold so that
// many short lines are bounded too.
const lineOverhead = 40

// errTooMuch is input over maxHold.
var errTooMuch = fmt.Errorf("input too large: over %d MiB would be held in memory", maxHold>>20)

// lineReader reads lines of at most maxLine bytes.
type lineReader struct {
	r   *bufio.Reader
	buf []byte
	// delim ends a line: '\n', or 0 for NUL-separated data (-z).
	delim byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), delim: '\n'}
}

// next returns the next line without its delimiter and whether it had one.
// It returns io.EOF after the last line. The line is valid until the next
// call.
func (l *lineReader) next() (line []byte, hadDelim bool, err error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.r.ReadSlice(l.delim)
		if len(l.buf)+len(chunk) > maxLine {
			return nil, false, errLineTooLong
		}
		switch {
		case err == nil:
			if len(l.buf) == 0 {
				return chunk[:len(chunk)-1], true, nil
			}
			l.buf = append(l.buf, chunk[:len(chunk)-1]...)
			return l.buf, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			l.buf = append(l.buf, chunk...)
		case errors.Is(err, io.EOF):
			l.buf = append(l.buf, chunk...)
			if len(l.buf) == 0 {
				return nil, false, io.EOF
			}
			return l.buf, false, nil
		default:
			return nil, false, err
		}
	}
}

// eachLine calls fn with each line of r split at delim ('\n', or 0 for
// -z): a copy it may keep, without the delimiter, and whether one ended
// it. It stops when fn fails, the call stops or reading fails.
func (c *call) eachLine(r io.Reader, delim byte, fn func(line []byte, hadDelim bool) error) error {
	lr := newLineReader(r)
	lr.delim = delim
	for !c.stopped() {
		line, had, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		// One allocation with room for the delimiter, which some add back.
		l := append(make([]byte, 0, len(line)+1), line...)
		if err := fn(l, had); err != nil {
			return err
		}
	}
	return nil
}
