package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/runtime"
)

// BenchmarkResultCacheHit measures answering one case from the cache:
// hashing its inputs and reading and decoding its entry.
func BenchmarkResultCacheHit(b *testing.B) {
	c := &resultCache{dir: b.TempDir()}
	s := &suite{code: []byte("def evaluate(x):\n    return x\n"), function: "evaluate",
		lim:   limitFlags{timeout: runtime.DefaultTimeout, memory: "128MiB", policy: "strict"},
		det:   detFlags{deterministic: true, seed: 7},
		cases: []runtime.TestCase{{Name: "one", Input: json.RawMessage(`[1, 2, 3]`), Expected: json.RawMessage(`[1, 2, 3]`)}}}
	c.put(s.inputs(0), runtime.CaseResult{Name: "one", Status: runtime.StatusPass, Actual: json.RawMessage(`[1, 2, 3]`)})
	_, ok := c.get(s.inputs(0))
	require.True(b, ok)
	b.ReportAllocs()
	for b.Loop() {
		c.get(s.inputs(0))
	}
}
