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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
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
		require.FailNow(t, "wasmbox serve exited before listening")
	case <-time.After(2 * time.Minute):
		require.FailNow(t, "wasmbox serve did not listen within 2 minutes")
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

// How long a test waits for the server to reach a state, and how often it
// looks.
const (
	waitFor  = 30 * time.Second
	waitTick = 50 * time.Millisecond
)

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
	st, _ := call(context.Background(), "POST", s.base+"/v1/sandbox", "", "")
	require.Equal(t, 401, st, "no key")
	id, err := c.create()
	require.NoError(t, err)
	require.NoError(t, c.writeFile(id, "workspace/numbers.json", []byte("[1, 2, 3, 4]")))
	require.NoError(t, c.writeFile(id, "workspace/sum.py", []byte(`import json, sys
nums = json.load(open("numbers.json"))
for n in nums:
    print("adding", n)
json.dump({"sum": sum(nums), "args": sys.argv[1:]}, open("result/out.json", "w"))
print("done", file=sys.stderr)
`)))
	require.NoError(t, c.writeFile(id, "workspace/result/.keep", nil))
	out, err := c.exec(id, []string{"sh", "-lc", "python3 sum.py 'two words'"}, 60000)
	require.NoError(t, err)
	assert.Equal(t, 0, out.exitCode, "exit code")
	assert.Equal(t, "adding 1\nadding 2\nadding 3\nadding 4\n", out.stdout.String(), "stdout")
	assert.Equal(t, "done\n", out.stderr.String(), "stderr")
	assert.GreaterOrEqual(t, out.chunks, 2, "chunks")
	status, body, err := c.readFile(id, "workspace/result/out.json")
	require.NoError(t, err)
	assert.Equal(t, 200, status, "read: %s", body)
	assert.Equal(t, `{"sum": 10, "args": ["two words"]}`, string(body), "read")
	var running struct{ Running bool }
	require.NoError(t, c.jsonCall("GET", "/"+id+"/running", "", nil, 200, &running))
	assert.True(t, running.Running, "running before delete")
	require.NoError(t, c.jsonCall("DELETE", "/"+id, "", nil, 204, nil))
	status, body, _ = c.readFile(id, "workspace/result/out.json")
	assert.Equal(t, 404, status, "read after delete: %s", body)
	require.NoError(t, c.jsonCall("GET", "/"+id+"/running", "", nil, 200, &running))
	assert.False(t, running.Running, "running after delete")
	assert.True(t, s.hasLog("request", map[string]any{"route": "/v1/sandbox/{id}/exec", "status": 200, "sandbox_id": id, "outcome": "ok"}),
		"no request log line for the exec")
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
			if st == 200 {
				assert.Contains(t, string(body), fmt.Sprintf(`"stdout":"%d\n"`, i*2), "request %d", i)
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
		assert.Contains(t, []int{200, 429, 503}, st, "statuses %v", count)
	}
	assert.GreaterOrEqual(t, count[200], 2, "want some 200s: %v", count)
	assert.Positive(t, count[429], "with a queue of 20, want some 429s: %v", count)
	assert.Equal(t, 0.0, s.metric(t, "wasmbox_executions_running"), "executions still running")
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
	require.Eventually(t, func() bool { return s.metric(t, "wasmbox_executions_running") == 1 }, waitFor, waitTick, "the run never started")
	cancel()
	<-done
	require.Eventually(t, func() bool {
		return s.metric(t, "wasmbox_executions_running") == 0 &&
			s.metric(t, `wasmbox_executions_total{kind="run",outcome="canceled"}`) == 1 &&
			s.metric(t, "wasmbox_instances_created_total")-s.metric(t, "wasmbox_instances_destroyed_total") == s.metric(t, "wasmbox_instances_warm") &&
			s.metric(t, "wasmbox_instances_destroyed_total") >= 1
	}, waitFor, waitTick, "the instance was never freed")
}

// TestServeShutdownWhileBusy: SIGTERM while a run is in progress lets it
// finish and be answered, then the process exits 0.
func TestServeShutdownWhileBusy(t *testing.T) {
	s := startServe(t, "--timeout", "60s", "--shutdown-grace", "60s")
	done := make(chan []byte)
	go func() {
		st, body := call(context.Background(), "POST", s.base+"/v1/run", "", `{"code": "import time\ntime.sleep(2)\nprint('finished')", "policy": "stdlib"}`)
		assert.Equal(t, 200, st, "run: %s", body)
		done <- body
	}()
	require.Eventually(t, func() bool { return s.metric(t, "wasmbox_executions_running") == 1 }, waitFor, waitTick, "the run never started")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	require.Contains(t, string(<-done), `"stdout":"finished\n"`, "the run")
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		require.FailNow(t, "still running a minute after SIGTERM")
	}
	assert.Equal(t, 0, s.cmd.ProcessState.ExitCode(), "exit status")
	assert.True(t, s.hasLog("shutting down", nil), "logs: %v", s.logs)
	assert.True(t, s.hasLog("stopped", nil), "logs: %v", s.logs)
}

// TestServeMaxContexts: --max-contexts caps the live code contexts of all
// sandboxes together.
func TestServeMaxContexts(t *testing.T) {
	s := startServe(t, "--max-contexts", "1")
	c := bridgeClient{base: s.base}
	first, err := c.create()
	require.NoError(t, err)
	second, err := c.create()
	require.NoError(t, err)
	st, body := call(context.Background(), "POST", s.base+"/v1/sandbox/"+first+"/contexts", "", "{}")
	require.Equal(t, 200, st, "the first context: %s", body)
	st, body = call(context.Background(), "POST", s.base+"/v1/sandbox/"+second+"/contexts", "", "{}")
	assert.Equal(t, 503, st, "a second context, in another sandbox: %s", body)
	assert.Contains(t, string(body), `"code":"capacity_exceeded"`)
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
		{[]string{"--max-contexts", "0"}, "--max-contexts must be positive"},
		{[]string{"--log-format", "xml"}, "--log-format"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, code := cli(t, "", append([]string{"serve"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, "exit")
			assert.Contains(t, stderr, tc.want)
		})
	}
	t.Run("--help", func(t *testing.T) {
		_, _, code := cli(t, "", "serve", "--help")
		assert.Equal(t, 0, code, "exit")
	})
}
