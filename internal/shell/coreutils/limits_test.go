package coreutils

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/tetratelabs/wazero/experimental/sysfs"

	"github.com/wasmbox/wasmbox/internal/shell"
)

// endless is an input that never ends: lines of y's, width bytes each.
// started, when set, is closed at the first read.
type endless struct {
	width   int
	started chan struct{}
	once    *sync.Once
}

func (e endless) Read(p []byte) (int, error) {
	if e.started != nil {
		e.once.Do(func() { close(e.started) })
	}
	for i := range p {
		p[i] = 'y'
		if i%e.width == e.width-1 {
			p[i] = '\n'
		}
	}
	return len(p), nil
}

// TestUtilitiesStopWithTheirContext runs utilities over an endless input
// and cancels them: each must return, with the cancelled status.
func TestUtilitiesStopWithTheirContext(t *testing.T) {
	for _, argv := range [][]string{
		{"cat"}, {"cat", "-n"}, {"wc"}, {"tr", "y", "n"}, {"grep", "x"}, {"sed", "s/y/n/"}, {"tail", "-n", "1"},
		{"uniq"}, {"cut", "-c1"}, {"sort"}, {"base64"}, {"sha256sum"}, {"tee"}, {"awk", "{n++}"}, {"gzip", "-c"},
		{"head", "-n", "-1"}, {"xargs", "true"}, {"yes"},
	} {
		t.Run(fmtArgv(argv), func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			in := endless{width: 2, started: make(chan struct{}), once: &sync.Once{}}
			inv := &shell.Invocation{
				FS: sysfs.DirFS(t.TempDir()), Dir: "/", Args: argv, Env: testEnviron,
				Stdin: in, Stdout: io.Discard, Stderr: io.Discard, Run: runUtil,
			}
			done := make(chan int, 1)
			go func() { done <- runUtil(ctx, inv) }()
			if argv[0] != "yes" {
				<-in.started // cancel while it is reading
			}
			cancel()
			select {
			case code := <-done:
				assert.NotEqual(t, 0, code)
			case <-time.After(20 * time.Second):
				t.Fatal("did not stop after its context ended")
			}
		})
	}
}

// TestHeldInputIsBounded feeds more than maxHold (lowered to 1 MiB) to
// utilities that keep input in memory: they fail with an error instead
// of growing.
func TestHeldInputIsBounded(t *testing.T) {
	saved := maxHold
	maxHold = 1 << 20
	t.Cleanup(func() { maxHold = saved })
	for _, argv := range [][]string{{"sort"}, {"tail", "-n", "1000000000"}, {"sed", "H;$!d"}} {
		t.Run(fmtArgv(argv), func(t *testing.T) {
			var errb strings.Builder
			inv := &shell.Invocation{
				FS: sysfs.DirFS(t.TempDir()), Dir: "/", Args: argv, Env: testEnviron,
				Stdin: endless{width: 4096}, Stdout: io.Discard, Stderr: &errb, Run: runUtil,
			}
			code := runUtil(context.Background(), inv)
			assert.NotEqual(t, 0, code)
			assert.Contains(t, errb.String(), "input too large")
		})
	}
}

func TestDevices(t *testing.T) {
	for _, tc := range []struct {
		argv  []string
		stdin string
		want  string
	}{
		{[]string{"cat", "/dev/null"}, "", ""},
		{[]string{"head", "-c", "3", "/dev/zero"}, "", "\x00\x00\x00"},
		{[]string{"cat", "/dev/stdin"}, "in", "in"},
		{[]string{"tee", "/dev/stdout"}, "x\n", "x\nx\n"},
		{[]string{"tee", "/dev/null"}, "x\n", "x\n"},
		{[]string{"wc", "-c", "/dev/null"}, "", "0 /dev/null\n"},
	} {
		t.Run(fmtArgv(tc.argv), func(t *testing.T) {
			got := runOurs(t, t.TempDir(), tc.argv, tc.stdin)
			assert.Equal(t, result{tc.want, "", 0}, got)
		})
	}
	got := runOurs(t, t.TempDir(), []string{"head", "-c", "16", "/dev/urandom"}, "")
	assert.Len(t, got.stdout, 16)
}
