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
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wasmbox/wasmbox/runtime"
)

// engine is shared by every test in the package: compiling is slow.
var engine *runtime.Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = runtime.NewEngine(context.Background(), runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "engine:", err)
		os.Exit(1)
	}
	code := m.Run()
	engine.Close(context.Background())
	os.Exit(code)
}

// runTimeout is the timeout tests give runs expected to succeed: generous,
// since `make test` runs packages side by side under the race detector.
const runTimeout = 60 * time.Second

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
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// response is an answer read whole.
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
	if err := dec.Decode(&e); err != nil || e.Code == "" || e.Message == "" {
		t.Fatalf("status %d: body %q is not an {error, code} object (%v)", r.status, r.body, err)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type %q", ct)
	}
	return e
}

// wantError checks that r is an error answer with status and code.
func (r response) wantError(t *testing.T, status int, code string) apiError {
	t.Helper()
	e := r.errorBody(t)
	if r.status != status || e.Code != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.status, e.Code, e.Message, status, code)
	}
	return e
}

// do sends a request with an optional body and headers (name, value pairs).
func do(t *testing.T, method, url, body string, headers ...string) response {
	t.Helper()
	return doCtx(t, context.Background(), method, url, body, headers...)
}

func doCtx(t *testing.T, ctx context.Context, method, url, body string, headers ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
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
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("status %d: decoding %q: %v", r.status, r.body, err)
	}
}

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	name string
	data string
	at   time.Time // when it was read
}

// parseSSE reads events from r until EOF.
func parseSSE(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var events []sseEvent
	var cur sseEvent
	var data []string
	sc := bufio.NewScanner(r)
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
			t.Errorf("unexpected SSE line %q", line)
		}
	}
	return events
}

// execResult is a finished exec stream: the decoded output and the end.
type execResult struct {
	stdout, stderr string
	exitCode       int
	errEvent       *apiError
	events         []sseEvent
}

// exec posts body to a sandbox's exec route and reads the whole stream; a
// non-SSE answer is returned as the response instead.
func exec(t *testing.T, base, id, body string) (execResult, response) {
	t.Helper()
	res, err := http.Post(base+"/v1/sandbox/"+id+"/exec", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		return execResult{}, response{status: res.StatusCode, header: res.Header, body: b}
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("exec Content-Type %q", ct)
	}
	return collectExec(t, parseSSE(t, res.Body)), response{status: 200, header: res.Header}
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
			if err != nil {
				t.Fatalf("event %d (%s): data %q is not base64", i, ev.name, ev.data)
			}
			if ev.name == "stdout" {
				out.stdout += string(b)
			} else {
				out.stderr += string(b)
			}
		case "exit":
			var x struct {
				ExitCode *int `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(ev.data), &x); err != nil || x.ExitCode == nil {
				t.Fatalf("exit event data %q", ev.data)
			}
			out.exitCode = *x.ExitCode
		case "error":
			var e apiError
			if err := json.Unmarshal([]byte(ev.data), &e); err != nil || e.Code == "" {
				t.Fatalf("error event data %q", ev.data)
			}
			out.errEvent = &e
		default:
			t.Fatalf("unknown event %q", ev.name)
		}
		if (ev.name == "exit" || ev.name == "error") != (i == len(events)-1) {
			t.Fatalf("the terminal event must come last, once: %v", events)
		}
	}
	return out
}

// metricValue returns the value of the sample line that starts with name
// (including labels) on /metrics, or -1.
func metricValue(t *testing.T, base, name string) float64 {
	t.Helper()
	r := do(t, "GET", base+"/metrics", "")
	for _, line := range strings.Split(string(r.body), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return -1
}

// waitFor polls cond for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
