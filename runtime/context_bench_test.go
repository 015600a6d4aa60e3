package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// benchContext starts a context with opts in a new sandbox for a
// benchmark; with state, it first runs forkState (a dict of 10^5 entries
// and an open file).
func benchContext(b *testing.B, state bool, opts ContextOptions) *Context {
	b.Helper()
	s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	b.Cleanup(func() { s.Destroy() })
	c, err := s.NewContext(context.Background(), opts)
	require.NoError(b, err)
	b.Cleanup(func() { c.Close() })
	if state {
		_, err := c.Run(context.Background(), forkState, RunOptions{})
		require.NoError(b, err)
	}
	return c
}

// Starting a context: an instance restored from the snapshot, and the
// context's set-up cell; under the strict policy, the guard armed too.
func BenchmarkContextCreate(b *testing.B) {
	s, err := testEngine.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(b, err)
	defer s.Destroy()
	for _, policy := range []string{"none", "strict"} {
		b.Run("policy="+policy, func(b *testing.B) {
			opts := ContextOptions{Policy: policyNamed(b, policy)}
			for b.Loop() {
				c, err := s.NewContext(context.Background(), opts)
				require.NoError(b, err)
				c.Close()
			}
		})
	}
}

// A cell in a live context, without a policy and under the strict
// policy's guard and static check: a small cell, and one that reads
// attributes in a loop (each read through the guard's getattr).
func BenchmarkContextRun(b *testing.B) {
	cells := []struct{ name, setup, code string }{
		{"small", "x = 41", "x + 1"},
		{"loop", "words = ['alpha', 'beta', 'gamma'] * 100", "n = 0\nfor w in words:\n    n += len(w.upper()) + w.count('a')\nn"},
	}
	for _, policy := range []string{"none", "strict"} {
		for _, cell := range cells {
			b.Run("policy="+policy+"/"+cell.name, func(b *testing.B) {
				c := benchContext(b, false, ContextOptions{Policy: policyNamed(b, policy)})
				_, err := c.Run(context.Background(), cell.setup, RunOptions{})
				require.NoError(b, err)
				for b.Loop() {
					x, err := c.Run(context.Background(), cell.code, RunOptions{})
					require.NoError(b, err)
					require.Nil(b, x.Error)
				}
			})
		}
	}
}

// Forking a context that holds a dict of 10^5 entries and an open file.
func BenchmarkContextFork(b *testing.B) {
	c := benchContext(b, true, ContextOptions{})
	for b.Loop() {
		fork, err := c.Fork(context.Background())
		require.NoError(b, err)
		fork.Close()
	}
}

// Saving that context; bytes/op is the size of what Save writes.
func BenchmarkContextSave(b *testing.B) {
	c := benchContext(b, true, ContextOptions{})
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
	c := benchContext(b, true, ContextOptions{})
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
