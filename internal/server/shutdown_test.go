package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

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
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
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
		done <- do(t, "POST", base+"/v1/run", `{"code": "import time\ntime.sleep(1.5)\nprint('finished')", "policy": "stdlib"}`)
	}()
	waitFor(t, 10*time.Second, "the run to start", func() bool { return metricValue(t, base, "wasmbox_executions_running") == 1 })
	cancel()
	r := <-done
	var res runtime.ExecResult
	r.decode(t, &res)
	if r.status != 200 || res.Stdout != "finished\n" {
		t.Fatalf("run during shutdown: %d %s", r.status, r.body)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if r := do(t, "GET", base+"/healthz", ""); r.status != -1 {
		t.Errorf("still answering after shutdown: %d", r.status)
	}
}

// TestShutdownGraceCancels: past the grace period, running executions are
// canceled and answered with 503.
func TestShutdownGraceCancels(t *testing.T) {
	base, cancel, stopped := serve(t, Config{ShutdownGrace: 300 * time.Millisecond})
	done := make(chan response)
	go func() {
		done <- do(t, "POST", base+"/v1/run", `{"code": "import time\ntime.sleep(30)", "policy": "stdlib"}`)
	}()
	waitFor(t, 10*time.Second, "the run to start", func() bool { return metricValue(t, base, "wasmbox_executions_running") == 1 })
	start := time.Now()
	cancel()
	r := <-done
	r.wantError(t, 503, CodeShuttingDown)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("shutdown took %v", d)
	}
}
