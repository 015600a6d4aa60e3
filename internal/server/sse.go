package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// sseWriteTimeout bounds one event write: a client that stops reading is
// treated as gone.
const sseWriteTimeout = 30 * time.Second

// sseStream writes Server-Sent Events in the bridge's format:
// "event: NAME\ndata: DATA\n\n", flushed one by one.
type sseStream struct {
	mu     sync.Mutex
	w      http.ResponseWriter
	rc     *http.ResponseController
	failed bool
	onFail func() // called once when a write fails (the client is gone)
}

func newSSEStream(w http.ResponseWriter, onFail func()) *sseStream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sseStream{w: w, rc: http.NewResponseController(w), onFail: onFail}
	s.flush()
	return s
}

// event writes one event; data must not hold a newline.
func (s *sseStream) event(name, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return
	}
	s.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := s.w.Write([]byte("event: " + name + "\ndata: " + data + "\n\n")); err != nil {
		s.fail()
		return
	}
	s.flush()
}

func (s *sseStream) flush() {
	if err := s.rc.Flush(); err != nil {
		s.fail()
	}
}

func (s *sseStream) fail() {
	if !s.failed {
		s.failed = true
		s.onFail()
	}
}

// jsonEvent writes an event whose data is v as JSON.
func (s *sseStream) jsonEvent(name string, v any) {
	data, _ := json.Marshal(v)
	s.event(name, string(data))
}

// coalesceDelay is how long output may wait for more before it is sent.
const coalesceDelay = 20 * time.Millisecond

// coalesceMax is the most output held back; a chunk this big is sent.
const coalesceMax = 16 << 10

// outputEvents turns the guest's writes to stdout and stderr into events
// of base64 chunks. Unbuffered output comes in many small writes (a
// traceback is written piece by piece), so it holds writes back until a
// newline, 16 KiB, a write to the other stream, or 20 ms have passed:
// output still streams as it is written, in the order it was written.
type outputEvents struct {
	s *sseStream

	mu      sync.Mutex
	pending string // the stream of buf
	buf     []byte
	timer   *time.Timer
}

// writer returns the io.Writer for the stream called name.
func (o *outputEvents) writer(name string) chunkWriter { return chunkWriter{o, name} }

func (o *outputEvents) write(name string, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending != name {
		o.flushLocked()
		o.pending = name
	}
	o.buf = append(o.buf, p...)
	if bytes.IndexByte(p, '\n') >= 0 || len(o.buf) >= coalesceMax {
		o.flushLocked()
		return
	}
	if o.timer == nil {
		o.timer = time.AfterFunc(coalesceDelay, o.flush)
	}
}

// flush sends what is held back.
func (o *outputEvents) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.flushLocked()
}

func (o *outputEvents) flushLocked() {
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	if len(o.buf) > 0 {
		o.s.event(o.pending, base64.StdEncoding.EncodeToString(o.buf))
		o.buf = o.buf[:0]
	}
}

// chunkWriter is the io.Writer of one stream of an outputEvents.
type chunkWriter struct {
	o    *outputEvents
	name string
}

func (c chunkWriter) Write(p []byte) (int, error) {
	c.o.write(c.name, p)
	return len(p), nil
}
