package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newContext starts a context in a new sandbox, closed at the end of the
// test.
func newContext(t *testing.T, opts ContextOptions) *Context {
	t.Helper()
	c, err := newSandbox(t, SandboxConfig{}).NewContext(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

// runCell runs code in c and fails the test when the run could not happen.
func runCell(t *testing.T, c *Context, code string) *Execution {
	t.Helper()
	x, err := c.Run(context.Background(), code, RunOptions{})
	require.NoError(t, err, "Run(%q)", code)
	return x
}

// texts returns the text of each result.
func texts(x *Execution) []string {
	out := []string{}
	for _, r := range x.Results {
		out = append(out, r.Text)
	}
	return out
}

func TestContextKeepsState(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, "x = 41")
	assert.Nil(t, x.Error)
	assert.Empty(t, x.Results)
	x = runCell(t, c, "x + 1")
	require.Nil(t, x.Error)
	assert.Equal(t, []string{"42"}, texts(x))
	assert.Equal(t, 2, x.ExecutionCount)
}

func TestContextLogs(t *testing.T) {
	c := newContext(t, ContextOptions{})
	var live strings.Builder
	x, err := c.Run(context.Background(), "import sys\nprint('hello')\nprint('oops', file=sys.stderr)\n'done'", RunOptions{Stdout: &live})
	require.NoError(t, err)
	assert.Equal(t, "hello\n", strings.Join(x.Logs.Stdout, ""))
	assert.Equal(t, "oops\n", strings.Join(x.Logs.Stderr, ""))
	assert.Equal(t, "hello\n", live.String())
	assert.Equal(t, []string{"'done'"}, texts(x))
}

func TestContextError(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, "a = 1\n1/0")
	require.NotNil(t, x.Error)
	assert.Equal(t, "ZeroDivisionError", x.Error.Name)
	assert.Equal(t, "division by zero", x.Error.Message)
	assert.Equal(t, 2, x.Error.LineNumber)
	assert.Equal(t, "ZeroDivisionError: division by zero", x.Error.Traceback[len(x.Error.Traceback)-1])
	assert.Contains(t, x.Error.Traceback, `  File "<cell 1>", line 2, in <module>`)
	// The context lives on.
	assert.Equal(t, []string{"1"}, texts(runCell(t, c, "a")))
}

func TestContextSyntaxError(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, "x = 1\ndef (:")
	require.NotNil(t, x.Error)
	assert.Equal(t, "SyntaxError", x.Error.Name)
	assert.Equal(t, 2, x.Error.LineNumber)
}

func TestContextRichResults(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, `
class Table:
    def __repr__(self): return "Table()"
    def _repr_html_(self): return "<table></table>"
    def _repr_markdown_(self): return "| a |"
    def _repr_json_(self): return {"a": [1, 2]}
    def _repr_svg_(self): return "<svg/>"
    def _repr_png_(self): return b"\x89PNG"
Table()`)
	require.Nil(t, x.Error)
	assert.Equal(t, []Result{{Text: "Table()", HTML: "<table></table>", Markdown: "| a |", JSON: map[string]any{"a": []any{1.0, 2.0}}, SVG: "<svg/>", PNG: "iVBORw=="}}, x.Results)
}

func TestContextsAreIsolated(t *testing.T) {
	a := newContext(t, ContextOptions{})
	b := newContext(t, ContextOptions{})
	runCell(t, a, "x = 'a'")
	x := runCell(t, b, "x")
	require.NotNil(t, x.Error)
	assert.Equal(t, "NameError", x.Error.Name)
	assert.Equal(t, []string{"'a'"}, texts(runCell(t, a, "x")))
}

func TestContextTimeoutLosesState(t *testing.T) {
	c := newContext(t, ContextOptions{Timeout: 200 * time.Millisecond})
	runCell(t, c, "x = 1")
	x := runCell(t, c, "while True: pass")
	require.NotNil(t, x.Error)
	assert.Equal(t, "TimeoutError", x.Error.Name)
	_, err := c.Run(context.Background(), "x", RunOptions{})
	assert.ErrorIs(t, err, ErrContextLost)
	assert.ErrorIs(t, c.Err(), ErrContextLost)
}

func TestContextCwd(t *testing.T) {
	s := newSandbox(t, SandboxConfig{})
	require.NoError(t, s.WriteFile("/work/data.txt", []byte("hi")))
	c, err := s.NewContext(context.Background(), ContextOptions{Cwd: "/work"})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	assert.Equal(t, []string{"('/work', 'hi')"}, texts(runCell(t, c, "import os\n(os.getcwd(), open('data.txt').read())")))
	_, err = s.NewContext(context.Background(), ContextOptions{Cwd: "/nowhere"})
	assert.ErrorIs(t, err, fs.ErrNotExist)
	_, err = s.NewContext(context.Background(), ContextOptions{Cwd: "relative"})
	assert.Error(t, err)
}

func TestContextClosed(t *testing.T) {
	c := newContext(t, ContextOptions{})
	require.NoError(t, c.Close())
	_, err := c.Run(context.Background(), "1", RunOptions{})
	assert.ErrorIs(t, err, ErrContextClosed)
}

func TestContextCloseStopsRun(t *testing.T) {
	c := newContext(t, ContextOptions{})
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(context.Background(), "print('looping')\nwhile True: pass", RunOptions{Stdout: writerFunc(func(p []byte) (int, error) {
			once.Do(func() { close(started) })
			return len(p), nil
		})})
		done <- err
	}()
	<-started
	require.NoError(t, c.Close())
	assert.ErrorIs(t, <-done, ErrContextClosed)
	assert.ErrorIs(t, c.Err(), ErrContextClosed)
}

// forkState is a context state with a dict of 10^5 entries and a file
// open for writing, half written.
const forkState = `
d = {i: str(i) for i in range(100_000)}
f = open("/tmp/log.txt", "w")
f.write("parent:")
f.flush()
`

// diverge writes who to the context's open file and dict, and returns the
// dict's size, an entry and the file's contents as the context sees them.
func diverge(t *testing.T, c *Context, who string) []string {
	t.Helper()
	x := runCell(t, c, "d['who'] = '"+who+"'\nf.write('"+who+"')\nf.flush()\n(len(d), d[99_999], d['who'], open('/tmp/log.txt').read())")
	require.Nil(t, x.Error, "%+v", x.Error)
	return texts(x)
}

func TestContextFork(t *testing.T) {
	c := newContext(t, ContextOptions{})
	runCell(t, c, forkState)
	fork, err := c.Fork(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { fork.Close() })
	assert.Equal(t, []string{"(100001, '99999', 'child', '" + "parent:child')"}, diverge(t, fork, "child"))
	assert.Equal(t, []string{"(100001, '99999', 'parent', '" + "parent:parent')"}, diverge(t, c, "parent"))
	data, err := c.Sandbox().ReadFile("/tmp/log.txt")
	require.NoError(t, err)
	assert.Equal(t, "parent:parent", string(data))
	data, err = fork.Sandbox().ReadFile("/tmp/log.txt")
	require.NoError(t, err)
	assert.Equal(t, "parent:child", string(data))
	assert.Equal(t, c.ExecutionCount(), fork.ExecutionCount())
}

func TestContextSaveResume(t *testing.T) {
	c := newContext(t, ContextOptions{})
	runCell(t, c, forkState)
	saved, err := c.Save(context.Background())
	require.NoError(t, err)
	t.Logf("saved %d bytes", len(saved))

	e, err := NewEngine(context.Background(), EngineConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close(context.Background()) })
	sb, err := e.NewSandbox(SandboxConfig{})
	require.NoError(t, err)
	resumed, err := e.ResumeContext(context.Background(), sb, saved)
	require.NoError(t, err)
	t.Cleanup(func() { resumed.Close() })
	assert.Equal(t, []string{"(100001, '99999', 'resumed', 'parent:resumed')"}, diverge(t, resumed, "resumed"))
	assert.Equal(t, []string{"(100001, '99999', 'parent', 'parent:parent')"}, diverge(t, c, "parent"))
	assert.Equal(t, c.ExecutionCount(), resumed.ExecutionCount())

	// The resuming sandbox's limits bound the saved ones.
	small, err := e.NewSandbox(SandboxConfig{MemoryLimit: e.snapSize() + pageSize})
	require.NoError(t, err)
	_, err = e.ResumeContext(context.Background(), small, saved)
	assert.ErrorIs(t, err, errSnapshotMemory, "a state larger than the sandbox's memory limit")
}

func TestContextResumeRefused(t *testing.T) {
	c := newContext(t, ContextOptions{})
	runCell(t, c, "x = 1")
	saved, err := c.Save(context.Background())
	require.NoError(t, err)
	sb := newSandbox(t, SandboxConfig{})

	flipped := bytes.Clone(saved)
	flipped[len(flipped)/2] ^= 1
	_, err = testEngine.ResumeContext(context.Background(), sb, flipped)
	assert.ErrorIs(t, err, ErrSnapshotCorrupt)

	// The same bytes as another build would write them: another
	// interpreter sum, with a valid checksum.
	other := bytes.Replace(saved[:len(saved)-sha256.Size], []byte(testEngine.interp.sum), []byte(strings.Repeat("0", 64)), 1)
	sum := sha256.Sum256(other)
	_, err = testEngine.ResumeContext(context.Background(), sb, append(other, sum[:]...))
	assert.ErrorIs(t, err, ErrSnapshotMismatch)

	_, err = testEngine.ResumeContext(context.Background(), sb, []byte("not a context"))
	assert.ErrorIs(t, err, ErrSnapshotCorrupt)
}

func TestContextIdleTTL(t *testing.T) {
	c := newContext(t, ContextOptions{IdleTTL: 100 * time.Millisecond})
	runCell(t, c, "x = 1")
	require.Eventually(t, func() bool { return c.Err() != nil }, 10*time.Second, 20*time.Millisecond)
	assert.ErrorIs(t, c.Err(), ErrContextLost)
	_, err := c.Run(context.Background(), "x", RunOptions{})
	assert.ErrorIs(t, err, ErrContextLost)
}

func TestContextCap(t *testing.T) {
	n := &testEngine.contexts
	n.mu.Lock()
	saved := n.max
	n.max = n.live + 1
	n.mu.Unlock()
	t.Cleanup(func() {
		n.mu.Lock()
		n.max = saved
		n.mu.Unlock()
	})
	c := newContext(t, ContextOptions{})
	_, err := newSandbox(t, SandboxConfig{}).NewContext(context.Background(), ContextOptions{})
	assert.ErrorIs(t, err, ErrTooManyContexts)
	_, err = c.Fork(context.Background())
	assert.ErrorIs(t, err, ErrTooManyContexts)
	require.NoError(t, c.Close())
	c = newContext(t, ContextOptions{}) // the closed one's place is free again
	assert.NoError(t, c.Err())
}

func TestContextMemoryLimit(t *testing.T) {
	c := newContext(t, ContextOptions{MemoryLimit: 64 << 20})
	x := runCell(t, c, "b = bytearray(200 << 20)")
	require.NotNil(t, x.Error)
	assert.Equal(t, "MemoryError", x.Error.Name)
	assert.Equal(t, []string{"2"}, texts(runCell(t, c, "1 + 1")), "the context lives on after a MemoryError")
}

func TestContextRunnerRemoved(t *testing.T) {
	c := newContext(t, ContextOptions{})
	runCell(t, c, "import builtins\ndel builtins.__wasmbox_run__")
	x := runCell(t, c, "1")
	require.NotNil(t, x.Error)
	assert.Contains(t, x.Error.Message, "the cell runner failed")
	assert.ErrorIs(t, c.Err(), ErrContextLost)
}

func TestContextControlFileMeddling(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, "ctl = open('/.wasmbox-control', 'w')\nctl.write('garbage')\nctl.flush()\n1")
	assert.Equal(t, []string{"1"}, texts(x), "%+v", x.Error)
	x = runCell(t, c, "ctl.write('more garbage')\nctl.flush()\n2")
	assert.Equal(t, []string{"2"}, texts(x), "%+v", x.Error)
	assert.NoError(t, c.Err())
}

// Open files of every kind survive a fork and a save at their descriptors:
// a file of the standard library, mid-read; a file unlinked while open; a
// directory.
func TestContextForkOpenFiles(t *testing.T) {
	c := newContext(t, ContextOptions{})
	x := runCell(t, c, `
import os
lib = open("/usr/local/lib/python313.zip", "rb")
lib.read(2)
gone = open("/tmp/gone.txt", "w+")
gone.write("kept")
gone.flush()
os.unlink("/tmp/gone.txt")
d = os.open("/tmp", os.O_RDONLY)
(lib.fileno(), gone.fileno(), d)`)
	require.Nil(t, x.Error, "%+v", x.Error)
	fds := texts(x)
	fork, err := c.Fork(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { fork.Close() })
	check := "gone.seek(0)\n(lib.fileno(), gone.fileno(), d, lib.read(2), gone.read(), os.path.exists('/tmp/gone.txt'), os.fstat(d).st_ino == os.stat('/tmp').st_ino)"
	want := []string{strings.TrimSuffix(fds[0], ")") + ", b'\\x03\\x04', 'kept', False, True)"}
	saved, err := c.Save(context.Background())
	require.NoError(t, err)
	resumed, err := testEngine.ResumeContext(context.Background(), newSandbox(t, SandboxConfig{}), saved)
	require.NoError(t, err)
	t.Cleanup(func() { resumed.Close() })
	for name, ctx := range map[string]*Context{"fork": fork, "resumed": resumed, "parent": c} {
		x := runCell(t, ctx, check)
		require.Nil(t, x.Error, "%s: %+v", name, x.Error)
		assert.Equal(t, want, texts(x), name)
	}
}
