package containerapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// sseWriteTimeout bounds one event write: a client that stops reading is
// treated as gone.
const sseWriteTimeout = 30 * time.Second

// sseStream writes the container's Server-Sent Events: "data: JSON\n\n",
// each flushed as it is sent.
type sseStream struct {
	mu     sync.Mutex
	w      http.ResponseWriter
	rc     *http.ResponseController
	failed bool
}

func startSSE(w http.ResponseWriter) *sseStream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sseStream{w: w, rc: http.NewResponseController(w)}
	s.rc.Flush()
	return s
}

// send writes one event; it reports false once the client is gone.
func (s *sseStream) send(v any) bool {
	data, err := json.Marshal(v)
	if err != nil {
		data, _ = json.Marshal(map[string]string{"type": "error", "error": "encoding an event: " + err.Error()})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed {
		return false
	}
	s.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := s.w.Write([]byte("data: " + string(data) + "\n\n")); err != nil {
		s.failed = true
		return false
	}
	if err := s.rc.Flush(); err != nil {
		s.failed = true
	}
	return !s.failed
}

// lineEvents turns a command's writes to stdout and stderr into one event
// per line, as the container's line-by-line capture does: each event's data
// ends in "\n", a last line without one included.
type lineEvents struct {
	emit func(stream, line string)

	mu      sync.Mutex
	partial map[string]*strings.Builder
}

func newLineEvents(emit func(stream, line string)) *lineEvents {
	return &lineEvents{emit: emit, partial: map[string]*strings.Builder{"stdout": {}, "stderr": {}}}
}

// writer returns the io.Writer of the stream called name.
func (l *lineEvents) writer(name string) lineWriter { return lineWriter{l, name} }

func (l *lineEvents) write(name string, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.partial[name]
	for len(p) > 0 {
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			b.Write(p)
			return
		}
		b.Write(p[:i+1])
		l.emit(name, b.String())
		b.Reset()
		p = p[i+1:]
	}
}

// flush sends each stream's last line if it had no newline.
func (l *lineEvents) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, name := range []string{"stdout", "stderr"} {
		if b := l.partial[name]; b.Len() > 0 {
			l.emit(name, b.String()+"\n")
			b.Reset()
		}
	}
}

// lineWriter is the io.Writer of one stream of a lineEvents.
type lineWriter struct {
	l    *lineEvents
	name string
}

func (w lineWriter) Write(p []byte) (int, error) {
	w.l.write(w.name, p)
	return len(p), nil
}
