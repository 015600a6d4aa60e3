package scaletest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// haproxyConfig is the example configuration the balancer runs, unchanged:
// it takes its addresses from the environment.
const haproxyConfig = "../../deploy/haproxy/haproxy.cfg"

// process is a program a test started; it is stopped when the test ends.
type process struct {
	cmd  *exec.Cmd
	log  *syncBuffer // its stdout and stderr
	done chan struct{}
}

// replica is one `wasmbox serve` process on loopback.
type replica struct {
	*process
	name string // the HAProxy server name: replica1, ...
	url  string // http://127.0.0.1:PORT
}

// cluster is replicas behind one HAProxy.
type cluster struct {
	replicas []*replica
	lb       string // HAProxy's URL
	haproxy  *process
}

// syncBuffer is a process's output, kept to show when a test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines is every complete line written so far.
func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// tail is the last n lines written.
func (b *syncBuffer) tail(n int) string {
	lines := b.lines()
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// scaleBinary is the wasmbox binary under test (WASMBOX_SCALE_BIN, a
// relative path taken from the repository's root), or a skip when the test
// was not started by `make scale-test` or HAProxy is missing.
func scaleBinary(t *testing.T) string {
	bin := os.Getenv("WASMBOX_SCALE_BIN")
	if bin == "" {
		t.Skip("the HAProxy test runs under `make scale-test` (WASMBOX_SCALE_BIN names the wasmbox binary)")
	}
	if _, err := exec.LookPath("haproxy"); err != nil {
		t.Skip("haproxy is not installed: run `make scale-test` as root (it installs the Debian package) or `apt-get install haproxy`")
	}
	if !filepath.IsAbs(bin) {
		bin = filepath.Join("..", "..", bin)
	}
	abs, err := filepath.Abs(bin)
	require.NoError(t, err)
	_, err = os.Stat(abs)
	require.NoError(t, err, "WASMBOX_SCALE_BIN")
	return abs
}

// startCluster starts n replicas and HAProxy in front of them; all stop
// when the test ends.
func startCluster(t *testing.T, bin string, n int) *cluster {
	c := &cluster{}
	for i := range n {
		c.replicas = append(c.replicas, startReplica(t, bin, fmt.Sprintf("replica%d", i+1)))
	}
	c.lb, c.haproxy = startHAProxy(t, c.replicas)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("haproxy's last lines:\n%s", c.haproxy.log.tail(40))
			for _, r := range c.replicas {
				t.Logf("%s's last lines:\n%s", r.name, r.log.tail(10))
			}
		}
	})
	return c
}

// startProcess starts cmd with its output kept, and stops it (SIGTERM,
// then SIGKILL after 10 s) when the test ends.
func startProcess(t *testing.T, cmd *exec.Cmd) *process {
	p := &process{cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.log, p.log
	require.NoError(t, cmd.Start(), "starting %s", cmd.Path)
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// kill ends the process at once (SIGKILL), as a crash or an OOM kill would,
// and waits until it is gone.
func (p *process) kill() error {
	if err := p.cmd.Process.Kill(); err != nil {
		return err
	}
	<-p.done
	return nil
}

// startReplica runs `wasmbox serve` on a free loopback port and waits for
// the address it logs.
func startReplica(t *testing.T, bin, name string) *replica {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--max-concurrency", "2", "--warm", "1")
	cmd.Env = append(os.Environ(), "WASMBOX_API_KEY=")
	r := &replica{process: startProcess(t, cmd), name: name}
	require.Eventually(t, func() bool {
		for _, line := range r.log.lines() {
			var entry struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "listening" {
				r.url = "http://" + entry.Addr
				return true
			}
		}
		return false
	}, 60*time.Second, 20*time.Millisecond, "%s logged no address:\n%s", name, r.log.tail(20))
	return r
}

// startHAProxy runs HAProxy with the example configuration on a free
// loopback port, in front of replicas, and waits until it answers.
func startHAProxy(t *testing.T, replicas []*replica) (url string, haproxy *process) {
	bind := freeLoopbackAddr(t)
	env := append(os.Environ(), "WASMBOX_LB_BIND="+bind)
	for i, r := range replicas {
		env = append(env, fmt.Sprintf("WASMBOX_REPLICA_%d=%s", i+1, strings.TrimPrefix(r.url, "http://")))
	}
	check := exec.Command("haproxy", "-c", "-f", haproxyConfig)
	check.Env = env
	out, err := check.CombinedOutput()
	require.NoError(t, err, "haproxy -c rejects %s (HAProxy 2.6 or later is needed):\n%s", haproxyConfig, out)

	cmd := exec.Command("haproxy", "-db", "-f", haproxyConfig)
	cmd.Env = env
	haproxy = startProcess(t, cmd)
	url = "http://" + bind
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/healthz")
		if err != nil {
			return false
		}
		drain(resp.Body)
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "haproxy did not answer on %s:\n%s", bind, haproxy.log.tail(20))
	return url, haproxy
}

// freeLoopbackAddr is a loopback address with a port free a moment ago.
// HAProxy cannot report a port it picked, so the port is chosen here.
func freeLoopbackAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// drain reads and closes a response body.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, body)
	body.Close()
}
