package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// serveReadyTimeout bounds the wait for a started `wasmbox serve` to
// answer: it compiles the interpreter first when the cache is cold.
const serveReadyTimeout = 2 * time.Minute

// serveProcess is a `wasmbox serve` that Run started for the
// wasmbox-cli-server variant.
type serveProcess struct {
	addr   string // unix:PATH, as `wasmbox run --server` takes it
	cmd    *exec.Cmd
	exited chan struct{}
	log    string // the file its stderr goes to
}

// startServe starts `bin serve` on a unix socket in dir, with its default
// settings (a warm interpreter per CPU), and waits until it answers
// GET /healthz.
func startServe(ctx context.Context, bin, dir string) (*serveProcess, error) {
	sock := filepath.Join(dir, "serve.sock")
	p := &serveProcess{addr: "unix:" + sock, exited: make(chan struct{}), log: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	p.cmd = exec.Command(bin, "serve", "--addr", p.addr, "--log-format", "text")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s serve: %w", bin, err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(ctx, sock); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// waitReady polls GET /healthz on the socket until it answers 200.
func (p *serveProcess) waitReady(ctx context.Context, sock string) error {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
	}}
	defer client.CloseIdleConnections()
	deadline := time.NewTimer(serveReadyTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://wasmbox/healthz", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.exited:
			return fmt.Errorf("wasmbox serve exited before answering: %s", p.logTail())
		case <-deadline.C:
			return fmt.Errorf("wasmbox serve did not answer within %v: %s", serveReadyTimeout, p.logTail())
		case <-tick.C:
		}
	}
}

// logTail is the last line of what the server wrote.
func (p *serveProcess) logTail() string {
	b, _ := os.ReadFile(p.log)
	return tail(string(b))
}

// stop ends the server: SIGINT, which lets it shut down and remove its
// socket, then a kill if it lingers.
func (p *serveProcess) stop() {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
}

// describeServer names where the wasmbox-cli-server variant sends its
// runs, for its description.
func describeServer(addr string, started bool) string {
	if started {
		return "a wasmbox serve started by this bench on a unix socket (its defaults: a warm interpreter per CPU)"
	}
	return "the wasmbox serve at " + strings.TrimSpace(addr)
}
