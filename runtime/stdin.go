package runtime

import (
	"bytes"
	"context"
	"io"
)

// guestStdin gives the guest r as its standard input. A bytes.Reader or
// strings.Reader-like reader that never blocks is passed through; any other
// reader is read by a goroutine, so that a guest blocked on a read that never
// completes (a terminal, a pipe nobody writes) is released with end of file
// when ctx is done and then stopped by the runtime.
func guestStdin(ctx context.Context, r io.Reader) io.Reader {
	switch r.(type) {
	case nil:
		return bytes.NewReader(nil)
	case *bytes.Reader, *bytes.Buffer:
		return r
	}
	return &ctxReader{ctx: ctx, r: r}
}

// ctxReader is a reader whose Read returns end of file once its context is
// done, even while the underlying read is still blocked.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

type readResult struct {
	data []byte
	err  error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if c.ctx.Err() != nil {
		return 0, io.EOF
	}
	ch := make(chan readResult, 1)
	go func() {
		buf := make([]byte, len(p))
		n, err := c.r.Read(buf)
		ch <- readResult{buf[:n], err}
	}()
	select {
	case res := <-ch:
		return copy(p, res.data), res.err
	case <-c.ctx.Done():
		return 0, io.EOF
	}
}
