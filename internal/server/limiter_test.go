package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimiter(t *testing.T) {
	draining := make(chan struct{})
	l := newLimiter(1, 1, 200*time.Millisecond, draining, func(float64) {})
	rel, e := l.acquire(context.Background())
	require.Nil(t, e)
	// One waits in the queue (and times out: 503); the next finds it full: 429.
	queued := make(chan *apiError)
	go func() {
		_, e := l.acquire(context.Background())
		queued <- e
	}()
	require.Eventually(t, func() bool { return l.waiting.Load() == 1 }, waitLong, time.Millisecond, "a waiter to queue")
	_, e = l.acquire(context.Background())
	if assert.NotNil(t, e, "queue full") {
		assert.Equal(t, http.StatusTooManyRequests, e.Status)
		assert.NotZero(t, e.RetryAfter)
	}
	e = <-queued
	if assert.NotNil(t, e, "queue timeout") {
		assert.Equal(t, http.StatusServiceUnavailable, e.Status)
		assert.Equal(t, CodeCapacityExceeded, e.Code)
	}
	// A waiter gets the slot when it is released.
	go func() {
		time.Sleep(50 * time.Millisecond)
		rel()
	}()
	rel2, e := l.acquire(context.Background())
	require.Nil(t, e, "after release")
	// A canceled waiter leaves; draining refuses everyone.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, e = l.acquire(ctx)
	if assert.NotNil(t, e, "canceled") {
		assert.Equal(t, CodeClientClosed, e.Code)
	}
	close(draining)
	_, e = l.acquire(context.Background())
	if assert.NotNil(t, e, "draining") {
		assert.Equal(t, CodeShuttingDown, e.Code)
	}
	rel2()
	assert.Zero(t, l.running())
	assert.Zero(t, l.waiting.Load())
}

// TestShedding fills a one-slot server with no queue: the second run is
// refused with 429 and Retry-After, and counted.
func TestShedding(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxConcurrency: 1, MaxQueue: -1})
	done := make(chan response)
	go func() {
		done <- do("POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(1.5)", "policy": "stdlib"}`)
	}()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the first run to start")
	r := do("POST", ts.URL+"/v1/run", `{"code": "print(1)"}`)
	r.wantError(t, 429, CodeCapacityExceeded)
	assert.Equal(t, "1", r.header.Get("Retry-After"))
	// A rejected script takes no slot, nor does validation.
	assert.Equal(t, 200, do("POST", ts.URL+"/v1/run", `{"code": "import os"}`).status, "rejected code while busy")
	first := <-done
	require.Equal(t, 200, first.status, "first: %s", first.body)
	assert.Equal(t, 1.0, metricValue(ts.URL, `wasmbox_requests_shed_total{code="429"}`), "shed counter")
}

// TestRunClientDisconnect: a client that goes away mid-run cancels the
// execution and frees its instance.
func TestRunClientDisconnect(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan response)
	go func() {
		done <- doCtx(ctx, "POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(30)", "policy": "stdlib"}`)
	}()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the run to start")
	cancel()
	<-done
	require.Eventually(t, func() bool {
		return metricValue(ts.URL, `wasmbox_executions_total{kind="run",outcome="canceled"}`) == 1 &&
			metricValue(ts.URL, "wasmbox_executions_running") == 0 &&
			metricValue(ts.URL, "wasmbox_instances_created_total") == metricValue(ts.URL, "wasmbox_instances_destroyed_total")
	}, waitLong, tick, "the run to be canceled")
}
