//go:build soak

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
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// The soak test: `make soak`, or `go test -tags soak -run TestSoak
// ./internal/server`. SOAK_N overrides the number of executions.

// soakKind is one kind of request of the mix, and how its answer must look.
type soakKind struct {
	name string
	// do sends the request and returns "" when the answer is right, else
	// what is wrong.
	do func(c *http.Client, base string) string
}

func soakRun(body string, check func(res runtime.ExecResult) bool) func(*http.Client, string) string {
	return func(c *http.Client, base string) string {
		resp, err := c.Post(base+"/v1/run", "application/json", strings.NewReader(body))
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var res runtime.ExecResult
		if resp.StatusCode != 200 || json.Unmarshal(b, &res) != nil || !check(res) {
			return fmt.Sprintf("status %d: %.300s", resp.StatusCode, b)
		}
		return ""
	}
}

// soakSession creates a session, writes a script, execs it, and deletes
// the session.
func soakSession(c *http.Client, base string) string {
	resp, err := c.Post(base+"/v1/sandbox", "application/json", nil)
	if err != nil {
		return err.Error()
	}
	var created struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != 200 || created.ID == "" {
		return fmt.Sprintf("create: status %d", resp.StatusCode)
	}
	defer func() {
		req, _ := http.NewRequest("DELETE", base+"/v1/sandbox/"+created.ID, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	req, _ := http.NewRequest("PUT", base+"/v1/sandbox/"+created.ID+"/file/workspace/s.py", strings.NewReader("import sys\nprint('hi', sys.argv[1])\n"))
	resp, err = c.Do(req)
	if err != nil {
		return err.Error()
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Sprintf("put: status %d", resp.StatusCode)
	}
	resp, err = c.Post(base+"/v1/sandbox/"+created.ID+"/exec", "application/json", strings.NewReader(`{"argv": ["python3", "s.py", "there"]}`))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	// Output may come in several chunks (writes are gathered for 20 ms).
	var stdout strings.Builder
	for _, block := range strings.Split(string(b), "\n\n") {
		if data, ok := strings.CutPrefix(block, "event: stdout\ndata: "); ok {
			chunk, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return fmt.Sprintf("exec: bad chunk %q", data)
			}
			stdout.Write(chunk)
		}
	}
	if resp.StatusCode != 200 || stdout.String() != "hi there\n" || !strings.HasSuffix(string(b), "event: exit\ndata: {\"exit_code\":0}\n\n") {
		return fmt.Sprintf("exec: status %d: %.300s", resp.StatusCode, b)
	}
	return ""
}

var soakKinds = []soakKind{
	{"normal", soakRun(`{"code": "print(sum(range(1000)))"}`, func(r runtime.ExecResult) bool { return r.ExitCode == 0 && r.Stdout == "499500\n" })},
	{"timeout", soakRun(`{"code": "while True:\n    pass", "timeoutMs": 300}`, func(r runtime.ExecResult) bool { return r.ExitCode == runtime.ExitTimeout && r.TimedOut })},
	{"memory", soakRun(`{"code": "a = []\nwhile True:\n    a.append(bytearray(1 << 20))", "memoryBytes": 33554432}`, func(r runtime.ExecResult) bool {
		return r.ExitCode == runtime.ExitMemory && r.MemoryExceeded
	})},
	{"exception", soakRun(`{"code": "raise ValueError('soak')"}`, func(r runtime.ExecResult) bool {
		return r.ExitCode == 1 && strings.HasSuffix(r.Stderr, "ValueError: soak\n")
	})},
	{"flood", soakRun(`{"code": "for _ in range(64):\n    print('x' * 65535)"}`, func(r runtime.ExecResult) bool {
		return r.ExitCode == 0 && r.StdoutTruncated && len(r.Stdout) == 256<<10
	})},
	{"session", soakSession},
	{"normal", soakRun(`{"code": "import json\nprint(json.dumps({'a': [1, 2]}))"}`, func(r runtime.ExecResult) bool { return r.ExitCode == 0 && r.Stdout == "{\"a\": [1, 2]}\n" })},
	{"rejected", soakRun(`{"code": "import os"}`, func(r runtime.ExecResult) bool { return r.ExitCode == runtime.ExitRejected })},
}

func soakRSS(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func soakFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc")
	}
	return len(entries)
}

// settle collects garbage and returns memory to the OS, so that RSS shows
// what is held.
func settle() {
	goruntime.GC()
	debug.FreeOSMemory()
	time.Sleep(200 * time.Millisecond)
}

// goroutinesDownTo waits up to 10 s for the number of goroutines to fall to
// n and returns the last count. It polls by hand: require.Eventually runs
// its condition on a goroutine of its own, which the count would include.
func goroutinesDownTo(n int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := goruntime.NumGoroutine()
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestSoak(t *testing.T) {
	total := 5000
	if n, err := strconv.Atoi(os.Getenv("SOAK_N")); err == nil && n > 0 {
		total = n
	}
	const concurrency = 4
	warmup := total / 10

	goroutinesBefore := goruntime.NumGoroutine()
	eng, err := runtime.NewEngine(context.Background(), runtime.EngineConfig{Pool: runtime.PoolConfig{Size: 2}})
	require.NoError(t, err)
	defer eng.Close(context.Background())
	s, err := New(Config{Engine: eng, MaxConcurrency: concurrency, MaxOutput: 256 << 10, Timeout: time.Minute, ExecTimeout: time.Minute,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ts := httptest.NewServer(s.Handler())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}

	var next, done atomic.Int64
	counts := make([]atomic.Int64, len(soakKinds))
	var failMu sync.Mutex
	var failures []string
	worker := func(limit int64) {
		for {
			i := next.Add(1) - 1
			if i >= limit {
				next.Add(-1)
				return
			}
			k := soakKinds[i%int64(len(soakKinds))]
			if msg := k.do(client, ts.URL); msg != "" {
				failMu.Lock()
				failures = append(failures, fmt.Sprintf("#%d %s: %s", i, k.name, msg))
				failMu.Unlock()
			}
			counts[i%int64(len(soakKinds))].Add(1)
			done.Add(1)
		}
	}
	runUpTo := func(limit int64) {
		var wg sync.WaitGroup
		for range concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				worker(limit)
			}()
		}
		wg.Wait()
	}

	start := time.Now()
	runUpTo(int64(warmup))
	settle()
	rssWarm, goroutinesWarm, fdsWarm := soakRSS(t), goruntime.NumGoroutine(), soakFDs(t)
	t.Logf("after %d warm-up executions: RSS %d MiB, %d goroutines, %d fds", warmup, rssWarm>>20, goroutinesWarm, fdsWarm)

	runUpTo(int64(total))
	elapsed := time.Since(start)
	settle()
	// Goroutines of finished requests may take a moment to end.
	goroutinesEnd := goroutinesDownTo(goroutinesWarm)
	rssEnd, fdsEnd := soakRSS(t), soakFDs(t)
	st := eng.Stats()
	t.Logf("after %d executions in %v (%.0f/s): RSS %d MiB (%+.1f%% from warm-up), %d goroutines, %d fds; instances started %d, ended %d, warm ready %d, warm served %d",
		done.Load(), elapsed.Round(time.Second), float64(done.Load())/elapsed.Seconds(), rssEnd>>20, 100*float64(rssEnd-rssWarm)/float64(rssWarm), goroutinesEnd, fdsEnd,
		st.InstancesStarted, st.InstancesEnded, st.WarmReady, st.WarmServed)
	for i, k := range soakKinds {
		t.Logf("  %-9s %d", k.name, counts[i].Load())
	}

	byKind := map[string]int{}
	for _, f := range failures {
		byKind[strings.Fields(f)[1]]++
	}
	assert.Empty(t, failures, "%d of %d requests answered wrongly %v; first: %s", len(failures), total, byKind, strings.Join(failures[:min(5, len(failures))], "\n"))
	assert.Equal(t, int64(total), done.Load(), "requests answered")
	assert.LessOrEqual(t, rssEnd, rssWarm*12/10, "RSS grew from %d MiB after warm-up to %d MiB: more than 20%%", rssWarm>>20, rssEnd>>20)
	assert.LessOrEqual(t, goroutinesEnd, goroutinesWarm, "goroutines at the end, against after warm-up")
	assert.LessOrEqual(t, fdsEnd, fdsWarm+2, "file descriptors at the end, against after warm-up")
	s.sessions.mu.Lock()
	live := len(s.sessions.sessions)
	s.sessions.mu.Unlock()
	assert.Zero(t, live, "sessions still alive")
	// Every instance but the warm ones waiting has ended.
	alive := st.InstancesStarted - st.InstancesEnded
	assert.LessOrEqual(t, alive, int64(st.WarmReady)+1, "instances alive, %d of them warm and ready", st.WarmReady)

	ts.Close()
	s.Close()
	client.CloseIdleConnections()
	eng.Close(context.Background())
	goroutinesAfter := goroutinesDownTo(goroutinesBefore)
	t.Logf("goroutines: %d before the server, %d after it closed", goroutinesBefore, goroutinesAfter)
	if goroutinesAfter > goroutinesBefore {
		buf := make([]byte, 1<<20)
		assert.Fail(t, "goroutines leaked", "%d before the server, %d after it closed:\n%s", goroutinesBefore, goroutinesAfter, buf[:goruntime.Stack(buf, true)])
	}
}
