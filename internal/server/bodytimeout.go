package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bodyDeadline gives every request body Config.BodyTimeout to arrive whole:
// a body trickled slower fails its reads with a *bodyTimeoutError (the
// readers answer 408). The deadline is the connection's, so it is lifted as
// soon as the body has been read to its end (and when the handler returns):
// net/http's watch for a client going away, which reads the connection
// during a long execution, must not be cut short.
func (s *Server) bodyDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if rc.SetReadDeadline(time.Now().Add(s.cfg.BodyTimeout)) != nil {
			next.ServeHTTP(w, r) // not a real connection (a test recorder)
			return
		}
		body := &deadlineBody{ReadCloser: r.Body, after: s.cfg.BodyTimeout, lift: func() { rc.SetReadDeadline(time.Time{}) }}
		defer body.liftOnce()
		r.Body = body
		next.ServeHTTP(w, r)
	})
}

// deadlineBody is a request body read under a connection deadline.
type deadlineBody struct {
	io.ReadCloser
	after  time.Duration
	lift   func()
	lifted bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return n, &bodyTimeoutError{after: b.after, err: err}
	case err != nil:
		b.liftOnce()
	}
	return n, err
}

func (b *deadlineBody) liftOnce() {
	if !b.lifted {
		b.lifted = true
		b.lift()
	}
}

// bodyTimeoutError is a body read cut at Config.BodyTimeout.
type bodyTimeoutError struct {
	after time.Duration
	err   error
}

func (e *bodyTimeoutError) Error() string {
	return fmt.Sprintf("the request body did not arrive within %v", e.after)
}

func (e *bodyTimeoutError) Unwrap() error { return e.err }
