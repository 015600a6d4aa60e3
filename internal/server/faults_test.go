package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueuedClientGoesAway: a request waiting for a slot whose client
// disconnects leaves the queue without taking a slot; the server goes on
// serving, and every instance started is ended.
func TestQueuedClientGoesAway(t *testing.T) {
	_, ts := newTestServer(t, Config{MaxConcurrency: 1})
	first := make(chan response)
	go func() {
		first <- do("POST", ts.URL+"/v1/run", `{"code": "import time\ntime.sleep(1.5)\nprint('first')", "policy": "stdlib"}`)
	}()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_executions_running", 1), waitLong, tick, "the first run to start")
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan response)
	go func() { queued <- doCtx(ctx, "POST", ts.URL+"/v1/run", `{"code": "print('queued')"}`) }()
	require.Eventually(t, metricIs(ts.URL, "wasmbox_queue_depth", 1), waitLong, tick, "the second run to queue")
	cancel()
	assert.Equal(t, -1, (<-queued).status, "the canceled client got an answer")
	require.Eventually(t, metricIs(ts.URL, "wasmbox_queue_depth", 0), waitLong, tick, "the queue to empty")
	r := <-first
	require.Equal(t, 200, r.status, "first: %s", r.body)
	require.Contains(t, string(r.body), `"stdout":"first\n"`)
	r = do("POST", ts.URL+"/v1/run", `{"code": "print('third')"}`)
	require.Equal(t, 200, r.status, "after: %s", r.body)
	require.Contains(t, string(r.body), `"stdout":"third\n"`)
	require.Eventually(t, func() bool {
		return metricValue(ts.URL, "wasmbox_instances_created_total") == metricValue(ts.URL, "wasmbox_instances_destroyed_total")
	}, waitLong, tick, "every instance to end")
}

// TestShutdownDuringSessionExec: at shutdown, a streaming session exec past
// the grace period ends with an `error` event (not a cut stream), a request
// waiting for a slot gets 503 shutting_down, and Serve returns.
func TestShutdownDuringSessionExec(t *testing.T) {
	base, cancel, stopped := serve(t, Config{ShutdownGrace: 300 * time.Millisecond, MaxConcurrency: 1, ExecTimeout: runTimeout})
	id := newSandbox(t, base)
	streamDone := make(chan execReply)
	go func() {
		streamDone <- sendExec(base, id, `{"argv": ["python3", "-c", "print('started', flush=True)\nimport time\ntime.sleep(30)"]}`)
	}()
	require.Eventually(t, metricIs(base, "wasmbox_executions_running", 1), waitLong, tick, "the exec to start")
	queued := make(chan response)
	go func() { queued <- do("POST", base+"/v1/run", `{"code": "print(1)"}`) }()
	require.Eventually(t, metricIs(base, "wasmbox_queue_depth", 1), waitLong, tick, "a run to queue")
	start := time.Now()
	cancel()
	(<-queued).wantError(t, http.StatusServiceUnavailable, CodeShuttingDown)
	res, r := (<-streamDone).result(t)
	require.Equal(t, 200, r.status, "exec stream: %s", r.body)
	require.NotNil(t, res.errEvent, "exec stream: stdout %q, events %v", res.stdout, res.events)
	assert.Equal(t, CodeExecError, res.errEvent.Code)
	require.NoError(t, <-stopped)
	assert.Less(t, time.Since(start), 15*time.Second, "shutdown took too long")
}
