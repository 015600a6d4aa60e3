package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// serve runs a server with Serve on a loopback port; cancel stops it.
func serve(t *testing.T, cfg Config) (base string, cancel func(), stopped <-chan error) {
	t.Helper()
	cfg.Engine = engine
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.Timeout == 0 {
		cfg.Timeout = runTimeout
	}
	s, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Serve(ctx, ln) }()
	t.Cleanup(cancel)
	return "http://" + ln.Addr().String(), cancel, errc
}

// TestShutdownFinishesRunning: a run in progress at shutdown finishes and
// is answered; Serve returns nil after.
func TestShutdownFinishesRunning(t *testing.T) {
	base, cancel, stopped := serve(t, Config{ShutdownGrace: 30 * time.Second})
	done := make(chan response)
	go func() {
		done <- do("POST", base+"/v1/run", `{"code": "import time\ntime.sleep(1.5)\nprint('finished')", "policy": "stdlib"}`)
	}()
	require.Eventually(t, metricIs(base, "wasmbox_executions_running", 1), waitLong, tick, "the run to start")
	cancel()
	r := <-done
	require.Equal(t, 200, r.status, "run during shutdown: %s", r.body)
	var res runtime.ExecResult
	r.decode(t, &res)
	assert.Equal(t, "finished\n", res.Stdout)
	require.NoError(t, <-stopped)
	assert.Equal(t, -1, do("GET", base+"/healthz", "").status, "still answering after shutdown")
}

// TestShutdownGraceCancels: past the grace period, running executions are
// canceled and answered with 503.
func TestShutdownGraceCancels(t *testing.T) {
	base, cancel, stopped := serve(t, Config{ShutdownGrace: 300 * time.Millisecond})
	done := make(chan response)
	go func() {
		done <- do("POST", base+"/v1/run", `{"code": "import time\ntime.sleep(30)", "policy": "stdlib"}`)
	}()
	require.Eventually(t, metricIs(base, "wasmbox_executions_running", 1), waitLong, tick, "the run to start")
	start := time.Now()
	cancel()
	(<-done).wantError(t, 503, CodeShuttingDown)
	require.NoError(t, <-stopped)
	assert.Less(t, time.Since(start), 10*time.Second, "shutdown took too long")
}
