package server

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/enginetest"
	"github.com/wasmbox/wasmbox/runtime"
)

// engine is shared by every test in the package: compiling is slow.
var engine *runtime.Engine

func TestMain(m *testing.M) { enginetest.Main(m, &engine) }

// runTimeout is the timeout tests give runs expected to succeed: generous,
// since `make test` runs packages side by side under the race detector.
const runTimeout = 60 * time.Second

// Polling bounds for require.Eventually.
const (
	waitLong = 10 * time.Second
	tick     = 20 * time.Millisecond
)

// newTestServer starts a server on an httptest listener; cfg.Engine is set.
func newTestServer(t *testing.T, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	cfg.Engine = engine
	if cfg.Timeout == 0 {
		cfg.Timeout = runTimeout
	}
	if cfg.ExecTimeout == 0 {
		cfg.ExecTimeout = runTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// response is an answer read whole; status -1 means no answer came (body
// then holds the client's error).
type response struct {
	status int
	header http.Header
	body   []byte
}

// errorBody decodes an {"error", "code"} body and fails unless it is one.
func (r response) errorBody(t *testing.T) apiError {
	t.Helper()
	var e apiError
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&e), "status %d: body %q is not an {error, code} object", r.status, r.body)
	require.NotEmpty(t, e.Code, "status %d: body %q has no code", r.status, r.body)
	require.NotEmpty(t, e.Message, "status %d: body %q has no message", r.status, r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"), "error Content-Type")
	return e
}

// wantError checks that r is an error answer with status and code.
func (r response) wantError(t *testing.T, status int, code string) apiError {
	t.Helper()
	e := r.errorBody(t)
	require.Equal(t, status, r.status, "status (%s: %s)", e.Code, e.Message)
	require.Equal(t, code, e.Code, "code (%s)", e.Message)
	return e
}

// client is the tests' HTTP client. It does not follow redirects: a
// client of the bridge API must never get one.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request with an optional body and headers (name, value pairs).
// It never fails the test, so goroutines may call it.
func do(method, url, body string, headers ...string) response {
	return doCtx(context.Background(), method, url, body, headers...)
}

func doCtx(ctx context.Context, method, url, body string, headers ...string) response {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return response{status: -1, body: []byte(err.Error())}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		return response{status: -1, body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// decode decodes r's JSON body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "status %d: decoding %q", r.status, r.body)
}

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	name string
	data string
	at   time.Time // when it was read
}

// parseSSE reads events from r until EOF; lines that are neither an event
// field nor blank, and a read error, are returned in bad.
func parseSSE(r io.Reader) (events []sseEvent, bad []string) {
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20) // one chunk may be a large write
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" || data != nil {
				cur.data, cur.at = strings.Join(data, "\n"), time.Now()
				events = append(events, cur)
			}
			cur, data = sseEvent{}, nil
		case strings.HasPrefix(line, "event:"):
			cur.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		default:
			bad = append(bad, line)
		}
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, "reading the stream: "+err.Error())
	}
	return events, bad
}

// execResult is a finished exec stream: the decoded output and the end.
type execResult struct {
	stdout, stderr string
	exitCode       int
	errEvent       *apiError
	events         []sseEvent
}

// execReply is what came back from an exec request, unchecked: goroutines
// collect it with sendExec and the test goroutine checks it with result.
type execReply struct {
	resp   response // the body is empty for an event stream
	events []sseEvent
	bad    []string // malformed SSE lines
	err    error
}

// sendExec posts body to a sandbox's exec route and reads the whole stream;
// a non-SSE answer is kept as the response. It never fails the test.
func sendExec(base, id, body string, headers ...string) execReply {
	req, err := http.NewRequest("POST", base+"/v1/sandbox/"+id+"/exec", strings.NewReader(body))
	if err != nil {
		return execReply{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		return execReply{err: err}
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		return execReply{resp: response{status: res.StatusCode, header: res.Header, body: b}}
	}
	events, bad := parseSSE(res.Body)
	return execReply{resp: response{status: 200, header: res.Header}, events: events, bad: bad}
}

// result checks x's shape: a request that was answered, and for a 200 an
// event stream of chunks then exactly one terminal event, last.
func (x execReply) result(t *testing.T) (execResult, response) {
	t.Helper()
	require.NoError(t, x.err)
	if x.resp.status != 200 {
		return execResult{}, x.resp
	}
	require.Equal(t, "text/event-stream", x.resp.header.Get("Content-Type"), "exec Content-Type: %s", x.resp.body)
	require.Empty(t, x.bad, "unexpected SSE lines")
	return collectExec(t, x.events), x.resp
}

// exec posts body to a sandbox's exec route and reads the whole stream; a
// non-SSE answer is returned as the response instead.
func exec(t *testing.T, base, id, body string, headers ...string) (execResult, response) {
	t.Helper()
	return sendExec(base, id, body, headers...).result(t)
}

// collectExec decodes an exec event stream, checking its shape: chunks,
// then exactly one terminal event, last.
func collectExec(t *testing.T, events []sseEvent) execResult {
	t.Helper()
	out := execResult{exitCode: -1, events: events}
	for i, ev := range events {
		switch ev.name {
		case "stdout", "stderr":
			b, err := base64.StdEncoding.DecodeString(ev.data)
			require.NoError(t, err, "event %d (%s): data %q is not base64", i, ev.name, ev.data)
			if ev.name == "stdout" {
				out.stdout += string(b)
			} else {
				out.stderr += string(b)
			}
		case "exit":
			var x struct {
				ExitCode *int `json:"exit_code"`
			}
			require.NoError(t, json.Unmarshal([]byte(ev.data), &x), "exit event data %q", ev.data)
			require.NotNil(t, x.ExitCode, "exit event data %q", ev.data)
			out.exitCode = *x.ExitCode
		case "error":
			var e apiError
			require.NoError(t, json.Unmarshal([]byte(ev.data), &e), "error event data %q", ev.data)
			require.NotEmpty(t, e.Code, "error event data %q", ev.data)
			out.errEvent = &e
		default:
			require.Failf(t, "unknown event", "%q", ev.name)
		}
		require.Equal(t, i == len(events)-1, ev.name == "exit" || ev.name == "error",
			"the terminal event must come last, once: %v", events)
	}
	require.NotEmpty(t, events, "the stream ended without an exit or error event")
	return out
}

// metricValue returns the value of the sample line that starts with name
// (including labels) on /metrics, or -1. It never fails the test, so
// require.Eventually's conditions may call it.
func metricValue(base, name string) float64 {
	r := do("GET", base+"/metrics", "")
	for _, line := range strings.Split(string(r.body), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return -1
}

// metricIs returns a condition for require.Eventually: the metric name has
// value want.
func metricIs(base, name string, want float64) func() bool {
	return func() bool { return metricValue(base, name) == want }
}
