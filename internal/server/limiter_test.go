package server

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	draining := make(chan struct{})
	l := newLimiter(1, 1, 200*time.Millisecond, draining, func(float64) {})
	rel, e := l.acquire(context.Background())
	if e != nil {
		t.Fatal(e)
	}
	// One waits in the queue (and times out: 503); the next finds it full: 429.
	var wg sync.WaitGroup
	wg.Add(1)
	var queued *apiError
	go func() {
		defer wg.Done()
		_, queued = l.acquire(context.Background())
	}()
	for l.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, e := l.acquire(context.Background()); e == nil || e.Status != http.StatusTooManyRequests || e.RetryAfter == 0 {
		t.Errorf("queue full: %+v", e)
	}
	wg.Wait()
	if queued == nil || queued.Status != http.StatusServiceUnavailable || queued.Code != CodeCapacityExceeded {
		t.Errorf("queue timeout: %+v", queued)
	}
	// A waiter gets the slot when it is released.
	go func() {
		time.Sleep(50 * time.Millisecond)
		rel()
	}()
	rel2, e := l.acquire(context.Background())
	if e != nil {
		t.Fatalf("after release: %v", e)
	}
	// A canceled waiter leaves; draining refuses everyone.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, e := l.acquire(ctx); e == nil || e.Code != CodeClientClosed {
		t.Errorf("canceled: %+v", e)
	}
	close(draining)
	if _, e := l.acquire(context.Background()); e == nil || e.Code != CodeShuttingDown {
		t.Errorf("draining: %+v", e)
	}
	rel2()
	if l.running() != 0 || l.waiting.Load() != 0 {
		t.Errorf("running %d waiting %d", l.running(), l.waiting.Load())
	}
}

// TestShedding fills a one-slot server with no queue: the second run is
// refused with 429 and Retry-After, and counted.
func TestShedding(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxConcurrency: 1, MaxQueue: -1})
	done := make(chan response)
	go func() {
		done <- do(t, "POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(1.5)", "policy": "stdlib"}`)
	}()
	waitFor(t, 10*time.Second, "the first run to start", func() bool { return metricValue(t, ts.URL, "wasmbox_executions_running") == 1 })
	r := do(t, "POST", ts.URL+"/v1/run", `{"code": "print(1)"}`)
	r.wantError(t, 429, CodeCapacityExceeded)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	// A rejected script takes no slot, nor does validation.
	if r := do(t, "POST", ts.URL+"/v1/run", `{"code": "import os"}`); r.status != 200 {
		t.Errorf("rejected code while busy: %d", r.status)
	}
	if first := <-done; first.status != 200 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	if v := metricValue(t, ts.URL, `wasmbox_requests_shed_total{code="429"}`); v != 1 {
		t.Errorf("shed counter %v", v)
	}
}

// TestRunClientDisconnect: a client that goes away mid-run cancels the
// execution and frees its instance.
func TestRunClientDisconnect(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan response)
	go func() {
		done <- doCtx(t, ctx, "POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(30)", "policy": "stdlib"}`)
	}()
	waitFor(t, 10*time.Second, "the run to start", func() bool { return metricValue(t, ts.URL, "wasmbox_executions_running") == 1 })
	cancel()
	<-done
	waitFor(t, 10*time.Second, "the run to be canceled", func() bool {
		return metricValue(t, ts.URL, `wasmbox_executions_total{kind="run",outcome="canceled"}`) == 1 &&
			metricValue(t, ts.URL, "wasmbox_executions_running") == 0 &&
			metricValue(t, ts.URL, "wasmbox_instances_created_total") == metricValue(t, ts.URL, "wasmbox_instances_destroyed_total")
	})
}
