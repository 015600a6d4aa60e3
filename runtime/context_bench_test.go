package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchContext starts a context in a new sandbox for a benchmark; with
// state, it first runs forkState (a dict of 10^5 entries and an open file).
func benchContext(b *testing.B, state bool) *Context {
	b.Helper()
	s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	b.Cleanup(func() { s.Destroy() })
	c, err := s.NewContext(context.Background(), ContextOptions{})
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	if state {
		_, err := c.Run(context.Background(), forkState, RunOptions{})
		require.NoError(b, err)
	}
	return c
}

// Starting a context: an instance restored from the snapshot, and the
// context's set-up cell.
func BenchmarkContextCreate(b *testing.B) {
	s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	defer s.Destroy()
	for b.Loop() {
		c, err := s.NewContext(context.Background(), ContextOptions{})
		require.NoError(b, err)
		c.Close()
	}
}

// One small cell in a live context.
func BenchmarkContextRun(b *testing.B) {
	c := benchContext(b, false)
	_, err := c.Run(context.Background(), "x = 41", RunOptions{})
	require.NoError(b, err)
	for b.Loop() {
		x, err := c.Run(context.Background(), "x + 1", RunOptions{})
		require.NoError(b, err)
		require.Nil(b, x.Error)
	}
}

// Forking a context that holds a dict of 10^5 entries and an open file.
func BenchmarkContextFork(b *testing.B) {
	c := benchContext(b, true)
	for b.Loop() {
		fork, err := c.Fork(context.Background())
		require.NoError(b, err)
		fork.Close()
	}
}

// Saving that context; bytes/op is the size of what Save writes.
func BenchmarkContextSave(b *testing.B) {
	c := benchContext(b, true)
	var size int
	for b.Loop() {
		data, err := c.Save(context.Background())
		require.NoError(b, err)
		size = len(data)
	}
	b.ReportMetric(float64(size), "saved-bytes")
}

// Resuming that context from its saved bytes.
func BenchmarkContextResume(b *testing.B) {
	c := benchContext(b, true)
	data, err := c.Save(context.Background())
	require.NoError(b, err)
	s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	defer s.Destroy()
	for b.Loop() {
		r, err := testEngine.ResumeContext(context.Background(), s, data)
		require.NoError(b, err)
		r.Close()
	}
}
