package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// requestInfo collects what the request log line and metrics report; the
// handlers fill it in through the request's context.
type requestInfo struct {
	route     string // the route pattern, or "unmatched"
	sandboxID string
	outcome   string
}

type infoKey struct{}

// infoOf returns the request's info, or nil outside logRequests.
func infoOf(r *http.Request) *requestInfo {
	info, _ := r.Context().Value(infoKey{}).(*requestInfo)
	return info
}

// setOutcome records the outcome of the request for its log line.
func setOutcome(r *http.Request, outcome string) {
	if info := infoOf(r); info != nil {
		info.outcome = outcome
	}
}

// setSandboxID records the sandbox a request concerns.
func setSandboxID(r *http.Request, id string) {
	if info := infoOf(r); info != nil {
		info.sandboxID = id
	}
}

// statusRecorder remembers the status written through it. It passes Flush
// on (through Unwrap, for http.ResponseController).
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests logs one line per request (method, route, status, duration,
// sandbox id, outcome) and counts it in wasmbox_http_requests_total.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{route: "unmatched"}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if info.outcome == "" {
			info.outcome = "ok"
		}
		s.metrics.requests.WithLabelValues(info.route, r.Method, strconv.Itoa(status)).Inc()
		level := slog.LevelInfo
		if status >= 500 && status != 501 {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("route", info.route),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("outcome", info.outcome),
		}
		if info.sandboxID != "" {
			attrs = append(attrs, slog.String("sandbox_id", info.sandboxID))
		}
		s.log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}
