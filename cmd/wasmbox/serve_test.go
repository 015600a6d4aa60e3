package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveProc is a `wasmbox serve` process started by a test.
type serveProc struct {
	base   string
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	logs   []map[string]any // the JSON log lines so far
}

// startServe starts the built binary on a free loopback port and waits
// until it listens.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(wasmboxBin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serveProc{cmd: cmd, exited: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				t.Logf("serve: %s", sc.Text())
				continue
			}
			s.mu.Lock()
			s.logs = append(s.logs, line)
			s.mu.Unlock()
			if line["msg"] == "listening" {
				addr <- line["addr"].(string)
			}
		}
		cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case a := <-addr:
		s.base = "http://" + a
	case <-s.exited:
		t.Fatal("wasmbox serve exited before listening")
	case <-time.After(2 * time.Minute):
		t.Fatal("wasmbox serve did not listen within 2 minutes")
	}
	return s
}

// hasLog reports whether a log line has msg and, if given, the attribute
// values.
func (s *serveProc) hasLog(msg string, attrs map[string]any) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.logs {
		if l["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range attrs {
			ok = ok && fmt.Sprint(l[k]) == fmt.Sprint(v)
		}
		if ok {
			return true
		}
	}
	return false
}

// call sends a request with an optional Bearer key and returns the status
// and body (status -1 and the error's text when there was no answer).
func call(ctx context.Context, method, url, key, body string) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return -1, []byte(err.Error())
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1, []byte(err.Error())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// metric reads one sample (name with labels) from /metrics, or -1.
func (s *serveProc) metric(t *testing.T, name string) float64 {
	t.Helper()
	_, body := call(context.Background(), "GET", s.base+"/metrics", "", "")
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return -1
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// bridgeClient is a client of the Cloudflare Sandbox bridge API written
// from its OpenAPI schema alone: createSandbox, writeFile, execCommand
// (SSE), readFile, isSandboxRunning, deleteSandbox.
type bridgeClient struct {
	base, key string
}

func (c bridgeClient) do(method, path, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequest(method, c.base+"/v1/sandbox"+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return http.DefaultClient.Do(req)
}

// jsonCall does a request and decodes a JSON answer of the wanted status.
func (c bridgeClient) jsonCall(method, path, contentType string, body io.Reader, want int, out any) error {
	res, err := c.do(method, path, contentType, body)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %s", method, path, res.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

func (c bridgeClient) create() (string, error) {
	var r struct {
		ID string `json:"id"`
	}
	err := c.jsonCall("POST", "", "", nil, 200, &r)
	return r.ID, err
}

func (c bridgeClient) writeFile(id, path string, data []byte) error {
	var r struct {
		OK bool `json:"ok"`
	}
	if err := c.jsonCall("PUT", "/"+id+"/file/"+path, "application/octet-stream", bytes.NewReader(data), 200, &r); err != nil {
		return err
	}
	if !r.OK {
		return fmt.Errorf("write: ok is false")
	}
	return nil
}

func (c bridgeClient) readFile(id, path string) (int, []byte, error) {
	res, err := c.do("GET", "/"+id+"/file/"+path, "", nil)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

// execOutput is what an exec stream carried.
type execOutput struct {
	stdout, stderr bytes.Buffer
	exitCode       int
	errorCode      string
	chunks         int
}

func (c bridgeClient) exec(id string, argv []string, timeoutMs int) (*execOutput, error) {
	body, _ := json.Marshal(map[string]any{"argv": argv, "timeout_ms": timeoutMs})
	res, err := c.do("POST", "/"+id+"/exec", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		return nil, fmt.Errorf("exec: status %d %s: %s", res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	out := &execOutput{exitCode: -1}
	var event string
	var data []string
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = append(data, line[len("data: "):])
		case line == "":
			payload := strings.Join(data, "\n")
			switch event {
			case "stdout", "stderr":
				b, err := base64.StdEncoding.DecodeString(payload)
				if err != nil {
					return nil, fmt.Errorf("%s chunk %q: %v", event, payload, err)
				}
				if event == "stdout" {
					out.stdout.Write(b)
				} else {
					out.stderr.Write(b)
				}
				out.chunks++
			case "exit":
				var x struct {
					ExitCode int `json:"exit_code"`
				}
				if err := json.Unmarshal([]byte(payload), &x); err != nil {
					return nil, err
				}
				out.exitCode = x.ExitCode
			case "error":
				var x struct{ Error, Code string }
				if err := json.Unmarshal([]byte(payload), &x); err != nil {
					return nil, err
				}
				out.errorCode = x.Code
			default:
				return nil, fmt.Errorf("unknown event %q", event)
			}
			event, data = "", nil
		default:
			return nil, fmt.Errorf("bad SSE line %q", line)
		}
	}
	return out, sc.Err()
}

func TestServeBridgeFlow(t *testing.T) {
	s := startServe(t, "--api-key", "k3y", "--exec-timeout", "60s")
	c := bridgeClient{base: s.base, key: "k3y"}
	if st, _ := call(context.Background(), "POST", s.base+"/v1/sandbox", "", ""); st != 401 {
		t.Fatalf("no key: %d", st)
	}
	id, err := c.create()
	if err != nil {
		t.Fatal(err)
	}
	must(t, c.writeFile(id, "workspace/numbers.json", []byte("[1, 2, 3, 4]")))
	must(t, c.writeFile(id, "workspace/sum.py", []byte(`import json, sys
nums = json.load(open("numbers.json"))
for n in nums:
    print("adding", n)
json.dump({"sum": sum(nums), "args": sys.argv[1:]}, open("result/out.json", "w"))
print("done", file=sys.stderr)
`)))
	must(t, c.writeFile(id, "workspace/result/.keep", nil))
	out, err := c.exec(id, []string{"sh", "-lc", "python3 sum.py 'two words'"}, 60000)
	if err != nil {
		t.Fatal(err)
	}
	if out.exitCode != 0 || out.stdout.String() != "adding 1\nadding 2\nadding 3\nadding 4\n" || out.stderr.String() != "done\n" || out.chunks < 2 {
		t.Fatalf("exec: exit %d, %d chunks, stdout %q, stderr %q", out.exitCode, out.chunks, out.stdout.String(), out.stderr.String())
	}
	status, body, err := c.readFile(id, "workspace/result/out.json")
	if err != nil || status != 200 || string(body) != `{"sum": 10, "args": ["two words"]}` {
		t.Fatalf("read: %d %q %v", status, body, err)
	}
	var running struct{ Running bool }
	must(t, c.jsonCall("GET", "/"+id+"/running", "", nil, 200, &running))
	if !running.Running {
		t.Fatal("not running")
	}
	must(t, c.jsonCall("DELETE", "/"+id, "", nil, 204, nil))
	if status, body, _ := c.readFile(id, "workspace/result/out.json"); status != 404 {
		t.Fatalf("read after delete: %d %s", status, body)
	}
	must(t, c.jsonCall("GET", "/"+id+"/running", "", nil, 200, &running))
	if running.Running {
		t.Fatal("running after delete")
	}
	if !s.hasLog("request", map[string]any{"route": "/v1/sandbox/{id}/exec", "status": 200, "sandbox_id": id, "outcome": "ok"}) {
		t.Error("no request log line for the exec")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeConcurrency: 50 requests at once against 2 slots are answered
// 200, or shed with 429 or 503; nothing else.
func TestServeConcurrency(t *testing.T) {
	s := startServe(t, "--max-concurrency", "2", "--max-queue", "20", "--queue-timeout", "20s", "--timeout", "60s")
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, body := call(context.Background(), "POST", s.base+"/v1/run", "", fmt.Sprintf(`{"code": "print(%d * 2)"}`, i))
			if st == 200 && !bytes.Contains(body, fmt.Appendf(nil, `"stdout":"%d\n"`, i*2)) {
				t.Errorf("request %d: %s", i, body)
			}
			statuses <- st
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	t.Logf("statuses: %v", count)
	for st := range count {
		if st != 200 && st != 429 && st != 503 {
			t.Errorf("status %d among %v", st, count)
		}
	}
	if count[200] < 2 || count[429] == 0 {
		t.Errorf("want some 200s and, with a queue of 20, some 429s: %v", count)
	}
	if v := s.metric(t, "wasmbox_executions_running"); v != 0 {
		t.Errorf("executions still running: %v", v)
	}
}

// TestServeClientDisconnect: a client that goes away mid-run frees the
// instance, as the metrics show.
func TestServeClientDisconnect(t *testing.T) {
	s := startServe(t, "--timeout", "60s")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		st, _ := call(ctx, "POST", s.base+"/v1/run", "", `{"code": "import time\ntime.sleep(60)", "policy": "stdlib"}`)
		done <- st
	}()
	eventually(t, "the run to start", func() bool { return s.metric(t, "wasmbox_executions_running") == 1 })
	cancel()
	<-done
	eventually(t, "the instance to be freed", func() bool {
		return s.metric(t, "wasmbox_executions_running") == 0 &&
			s.metric(t, `wasmbox_executions_total{kind="run",outcome="canceled"}`) == 1 &&
			s.metric(t, "wasmbox_instances_created_total")-s.metric(t, "wasmbox_instances_destroyed_total") == s.metric(t, "wasmbox_instances_warm") &&
			s.metric(t, "wasmbox_instances_destroyed_total") >= 1
	})
}

// TestServeShutdownWhileBusy: SIGTERM while a run is in progress lets it
// finish and be answered, then the process exits 0.
func TestServeShutdownWhileBusy(t *testing.T) {
	s := startServe(t, "--timeout", "60s", "--shutdown-grace", "60s")
	done := make(chan []byte)
	go func() {
		st, body := call(context.Background(), "POST", s.base+"/v1/run", "", `{"code": "import time\ntime.sleep(2)\nprint('finished')", "policy": "stdlib"}`)
		if st != 200 {
			t.Errorf("run: %d %s", st, body)
		}
		done <- body
	}()
	eventually(t, "the run to start", func() bool { return s.metric(t, "wasmbox_executions_running") == 1 })
	must(t, s.cmd.Process.Signal(syscall.SIGTERM))
	if body := <-done; !bytes.Contains(body, []byte(`"stdout":"finished\n"`)) {
		t.Fatalf("run: %s", body)
	}
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		t.Fatal("still running a minute after SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit status %d", code)
	}
	if !s.hasLog("shutting down", nil) || !s.hasLog("stopped", nil) {
		t.Errorf("logs: %v", s.logs)
	}
}

func TestServeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, "without an API key"},
		{[]string{"--addr", ":0"}, "without an API key"},
		{[]string{"--max-body", "lots"}, "--max-body"},
		{[]string{"--max-concurrency", "0"}, "--max-concurrency"},
		{[]string{"--session-ttl", "0s"}, "--session-ttl"},
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		_, stderr, code := cli(t, "", append([]string{"serve"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("serve %q: exit %d, stderr %q", tc.args, code, stderr)
		}
	}
	stdout, _, code := cli(t, "", "serve", "--help")
	_ = stdout
	if code != 0 {
		t.Errorf("--help: exit %d", code)
	}
}
