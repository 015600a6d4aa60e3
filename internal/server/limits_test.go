package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// TestTrickledBodyTimesOut: a body sent a byte at a time no longer holds a
// connection and a handler forever: past BodyTimeout the answer is 408.
func TestTrickledBodyTimesOut(t *testing.T) {
	_, ts := newTestServer(t, Config{BodyTimeout: 300 * time.Millisecond})
	u, err := url.Parse(ts.URL)
	require.NoError(t, err)
	conn, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	defer conn.Close()
	body := `{"code": "print(1)"}`
	_, err = fmt.Fprintf(conn, "POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
	require.NoError(t, err)
	// The server's answer ends the trickle: writes fail once it has closed
	// the connection.
	go func() {
		for i := range len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(runTimeout)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	var e apiError
	require.NoError(t, json.NewDecoder(res.Body).Decode(&e))
	assert.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	assert.Equal(t, CodeRequestTimeout, e.Code)
	assert.Contains(t, e.Message, "did not arrive within 300ms")
}

// TestBodyInTimeIsRead: a body that comes whole within BodyTimeout runs,
// and the connection's deadline is lifted after it (the execution takes
// longer than BodyTimeout).
func TestBodyInTimeIsRead(t *testing.T) {
	_, ts := newTestServer(t, Config{BodyTimeout: 300 * time.Millisecond})
	r := do("POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(0.6)\nprint(1)", "policy": "none"}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var res runtime.ExecResult
	require.NoError(t, json.Unmarshal(r.body, &res))
	assert.Equal(t, "1\n", res.Stdout)
}

// TestTestRequestDeadline: one /v1/test request could hold a slot for
// cases × timeout; MaxTestDuration bounds the whole request (504).
func TestTestRequestDeadline(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxTestDuration: time.Second})
	cases := strings.Repeat(`{"input": 1},`, 20)
	body := fmt.Sprintf(`{"evalCode": "import time\ndef evaluate(x):\n    time.sleep(0.3)\n    return x", "testCases": [%s], "policy": "none", "timeoutMs": 5000}`, strings.TrimSuffix(cases, ","))
	start := time.Now()
	r := do("POST", ts.URL+"/v1/test", body)
	took := time.Since(start)
	e := r.errorBody(t)
	assert.Equal(t, http.StatusGatewayTimeout, r.status)
	assert.Equal(t, CodeDeadlineExceeded, e.Code)
	assert.Contains(t, e.Message, "--max-test-duration")
	assert.Less(t, took, 20*300*time.Millisecond, "stopped before all 20 cases ran")
}

// TestHostMemoryBudget: sessions hold their filesystem cap of the budget,
// and executions their memory limit; past the budget a session is refused
// with 503 and an execution waits in the queue until room is made.
func TestHostMemoryBudget(t *testing.T) {
	const mem, fsCap = 64 << 20, 16 << 20
	// Room for one /v1/run (its memory and its own sandbox's filesystem)
	// and three sessions. Sessions are admitted while one execution at the
	// default memory still fits beside them: seven.
	budget := int64(mem + runtime.DefaultMaxFSBytes + 3*fsCap)
	s, ts := newTestServer(t, Config{Memory: mem, SessionFSBytes: fsCap, MaxHostMemory: budget, QueueTimeout: runTimeout})

	sessions := 0
	more := do("POST", ts.URL+"/v1/sandbox", "")
	for ; more.status == http.StatusOK; sessions++ {
		require.Less(t, sessions, DefaultMaxSessions, "sessions are never refused")
		more = do("POST", ts.URL+"/v1/sandbox", "")
	}
	assert.Equal(t, int((budget-mem)/fsCap), sessions)
	assert.Equal(t, http.StatusServiceUnavailable, more.status)
	assert.Equal(t, CodeCapacityExceeded, more.errorBody(t).Code)
	assert.NotEmpty(t, more.header.Get("Retry-After"))

	t.Run("too big for the whole budget", func(t *testing.T) {
		r := do("POST", ts.URL+"/v1/run", fmt.Sprintf(`{"code": "print(1)", "memoryBytes": %d}`, budget))
		assert.Equal(t, http.StatusBadRequest, r.status)
		assert.Contains(t, r.errorBody(t).Message, "--max-host-memory")
	})

	t.Run("an execution waits for room", func(t *testing.T) {
		done := make(chan response, 1)
		go func() { done <- do("POST", ts.URL+"/v1/run", `{"code": "print(2)"}`) }()
		require.Eventually(t, func() bool { return s.limiter.waiting.Load() == 1 }, runTimeout, 10*time.Millisecond, "the run queues")
		// Deleting every session makes room.
		for _, id := range s.sessionIDs() {
			require.Equal(t, http.StatusNoContent, do("DELETE", ts.URL+"/v1/sandbox/"+id, "").status)
		}
		r := <-done
		require.Equal(t, http.StatusOK, r.status, string(r.body))
		assert.Contains(t, string(r.body), `"stdout":"2\n"`)
	})
	assert.Zero(t, s.limiter.reserved(), "everything given back")
}

// sessionIDs lists the live sessions.
func (s *Server) sessionIDs() []string {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	var ids []string
	for id := range s.sessions.sessions {
		ids = append(ids, id)
	}
	return ids
}

func TestHostMemoryBudgetBelowOneSession(t *testing.T) {
	_, err := New(Config{Engine: engine, MaxHostMemory: 64 << 20})
	assert.ErrorContains(t, err, "host memory budget")
}

func TestLimiterBudgetIsFIFO(t *testing.T) {
	l := newLimiter(4, 4, runTimeout, make(chan struct{}), func(float64) {})
	l.setBudget(100)
	relA, e := l.acquireBytes(context.Background(), 60)
	require.Nil(t, e)

	// B needs 60 and waits; C needs 10 and would fit, but does not jump B.
	admitted := make(chan string, 2)
	releases := make(chan func(), 2)
	for _, w := range []struct {
		name string
		need int64
	}{{"B", 60}, {"C", 10}} {
		go func() {
			rel, e := l.acquireBytes(context.Background(), w.need)
			if e == nil {
				releases <- rel
				admitted <- w.name
			}
		}()
		want := int64(1)
		if w.name == "C" {
			want = 2
		}
		require.Eventually(t, func() bool { return l.waiting.Load() == want }, runTimeout, time.Millisecond)
	}
	assert.Equal(t, int64(60), l.reserved(), "C waits behind B although it would fit")
	relA()
	assert.ElementsMatch(t, []string{"B", "C"}, []string{<-admitted, <-admitted})
	(<-releases)()
	(<-releases)()
	assert.Zero(t, l.reserved())
	assert.Zero(t, l.running())

	assert.False(t, l.reserve(60, 50), "no headroom left")
	assert.True(t, l.reserve(60, 40))
	assert.False(t, l.reserve(1, 40), "the headroom is kept")
	l.unreserve(60)
}

func TestHostMemoryReadings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	assert.Equal(t, int64(2048<<10), memTotal(write("meminfo", "MemFree:  1 kB\nMemTotal:       2048 kB\n")))
	assert.Zero(t, memTotal(filepath.Join(dir, "missing")))
	assert.Equal(t, int64(512<<20), cgroupLimit(write("memory.max", "536870912\n")))
	assert.Zero(t, cgroupLimit(write("max", "max\n")), "no limit")
	assert.Zero(t, cgroupLimit(write("v1", "9223372036854771712\n")), "cgroup v1's unlimited")
	if total := memTotal("/proc/meminfo"); total > 0 {
		assert.LessOrEqual(t, DefaultHostMemory(), total/2)
	}
}
