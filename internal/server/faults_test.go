package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestQueuedClientGoesAway: a request waiting for a slot whose client
// disconnects leaves the queue without taking a slot; the server goes on
// serving, and every instance started is ended.
func TestQueuedClientGoesAway(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxConcurrency: 1})
	first := make(chan response)
	go func() {
		first <- do(t, "POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(1.5)\nprint('first')", "policy": "stdlib"}`)
	}()
	waitFor(t, 10*time.Second, "the first run to start", func() bool { return metricValue(t, ts.URL, "wasmbox_executions_running") == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan response)
	go func() { queued <- doCtx(t, ctx, "POST", ts.URL+"/v1/run", `{"code": "print('queued')"}`) }()
	waitFor(t, 10*time.Second, "the second run to queue", func() bool { return metricValue(t, ts.URL, "wasmbox_queue_depth") == 1 })
	cancel()
	if r := <-queued; r.status != -1 {
		t.Errorf("the canceled client got an answer: %d", r.status)
	}
	waitFor(t, 10*time.Second, "the queue to empty", func() bool { return metricValue(t, ts.URL, "wasmbox_queue_depth") == 0 })
	if r := <-first; r.status != 200 || !strings.Contains(string(r.body), `"stdout":"first\n"`) {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", ts.URL+"/v1/run", `{"code": "print('third')"}`); r.status != 200 || !strings.Contains(string(r.body), `"stdout":"third\n"`) {
		t.Fatalf("after: %d %s", r.status, r.body)
	}
	waitFor(t, 10*time.Second, "every instance to end", func() bool {
		return metricValue(t, ts.URL, "wasmbox_instances_created_total") == metricValue(t, ts.URL, "wasmbox_instances_destroyed_total")
	})
}

// TestShutdownDuringSessionExec: at shutdown, a streaming session exec past
// the grace period ends with an `error` event (not a cut stream), a request
// waiting for a slot gets 503 shutting_down, and Serve returns.
func TestShutdownDuringSessionExec(t *testing.T) {
	base, cancel, stopped := serve(t, Config{ShutdownGrace: 300 * time.Millisecond, MaxConcurrency: 1, ExecTimeout: runTimeout})
	var created struct{ ID string }
	do(t, "POST", base+"/v1/sandbox", "").decode(t, &created)
	type streamed struct {
		res execResult
		r   response
	}
	streamDone := make(chan streamed)
	go func() {
		res, r := exec(t, base, created.ID, `{"argv": ["python3", "-c", "print('started', flush=True)\nimport time\ntime.sleep(30)"]}`)
		streamDone <- streamed{res, r}
	}()
	waitFor(t, 10*time.Second, "the exec to start", func() bool { return metricValue(t, base, "wasmbox_executions_running") == 1 })
	queued := make(chan response)
	go func() { queued <- do(t, "POST", base+"/v1/run", `{"code": "print(1)"}`) }()
	waitFor(t, 10*time.Second, "a run to queue", func() bool { return metricValue(t, base, "wasmbox_queue_depth") == 1 })
	start := time.Now()
	cancel()
	queued2 := <-queued
	queued2.wantError(t, http.StatusServiceUnavailable, CodeShuttingDown)
	st := <-streamDone
	if st.r.status != 200 || st.res.errEvent == nil || st.res.errEvent.Code != "exec_error" {
		ev, _ := json.Marshal(st.res.errEvent)
		t.Fatalf("exec stream: status %d, stdout %q, error event %s, events %v", st.r.status, st.res.stdout, ev, st.res.events)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
