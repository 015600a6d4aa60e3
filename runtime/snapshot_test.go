package runtime

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shared engine runs the default interpreter, which starts its
// instances from the snapshot.
func TestDefaultEngineUsesSnapshot(t *testing.T) {
	if testEngine.Interpreter() != InterpreterSnapshot || testEngine.snap == nil {
		t.Skipf("the tests run on the %s interpreter", testEngine.Interpreter())
	}
	res := run(t, `python3 -c 'import sys, json; print(sys.version_info[:2], "json" in sys.modules)'`, ExecOptions{})
	assertRan(t, 0, "(3, 13) True\n", res)
}

// Copies of one snapshot must not share the random module's state.
func TestSnapshotCopiesDrawDifferentRandomNumbers(t *testing.T) {
	code := `python3 -c 'import random, os; print(random.random(), random.getrandbits(64), os.urandom(8).hex())'`
	a, b := run(t, code, ExecOptions{}), run(t, code, ExecOptions{})
	assert.Equal(t, 0, a.ExitCode, "first run; stderr %q", a.Stderr)
	assert.Equal(t, 0, b.ExitCode, "second run; stderr %q", b.Stderr)
	assert.NotEqual(t, a.Stdout, b.Stdout, "two runs drew the same numbers")
}

// What one restored instance changes in the interpreter is gone in the
// next: each starts from the snapshot, not from the previous one.
func TestSnapshotCopiesShareNothing(t *testing.T) {
	first := run(t, `python3 -c '
import json, sys, builtins
json.dumps = lambda *a, **k: "tampered"
builtins.len = lambda x: -1
sys.modules["planted"] = json
sys.path.append("/evil")
print("done")'`, ExecOptions{Policy: &noPolicy})
	require.Equal(t, 0, first.ExitCode, "first run; stderr %q", first.Stderr)
	second := run(t, `python3 -c '
import json, sys
print(json.dumps([1]), len("ab"), "planted" in sys.modules, "/evil" in sys.path)'`, ExecOptions{Policy: &noPolicy})
	assertRan(t, 0, "[1] 2 False False\n", second, "the second run saw the first's changes")
}

// A snapshot is taken once per cache directory; a later engine loads it,
// and a corrupt file is taken again rather than used.
func TestSnapshotCachedAndRetakenWhenCorrupt(t *testing.T) {
	if testEngine.snap == nil {
		t.Skip("no snapshot on this interpreter")
	}
	dir := t.TempDir()
	// The compiled module comes from the shared cache; only the snapshot
	// is made here.
	for _, p := range cacheEntries(t, testEngine.CacheDir()) {
		rel, err := filepath.Rel(testEngine.CacheDir(), p)
		require.NoError(t, err)
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), data, 0o644))
	}
	newEngine := func() *Engine {
		e, err := NewEngine(context.Background(), EngineConfig{CacheDir: dir})
		require.NoError(t, err)
		t.Cleanup(func() { e.Close(context.Background()) })
		res := execOn(t, e, SandboxConfig{}, nil, `python3 -c 'import json; print(json.dumps({"a": 1}))'`, ExecOptions{})
		require.Equal(t, 0, res.ExitCode, "stderr %q", res.Stderr)
		require.Equal(t, "{\"a\": 1}\n", res.Stdout)
		return e
	}
	e := newEngine()
	files, err := filepath.Glob(filepath.Join(dir, "snapshot-*.mem"))
	require.NoError(t, err)
	require.Len(t, files, 1, "snapshot files")
	saved, err := os.ReadFile(files[0])
	require.NoError(t, err)
	d, ok := readChecked(files[0])
	assert.True(t, ok && bytes.Equal(d, e.snap.encode()), "the cached snapshot is not the engine's")
	bad := bytes.Clone(saved)
	bad[len(bad)/2] ^= 0x10
	require.NoError(t, os.WriteFile(files[0], bad, 0o644))
	e = newEngine()
	// Taken again, not equal to the first: the string-hash seed differs.
	d, ok = readChecked(files[0])
	assert.True(t, ok && bytes.Equal(d, e.snap.encode()), "the corrupt snapshot was not taken again")
}

func TestDecodeSnapshotRefusesMalformedFiles(t *testing.T) {
	good := (&snapshot{size: 2 * pageSize, runs: []memRun{{off: 4096, data: []byte("abc")}, {off: pageSize, data: make([]byte, 4096)}}}).encode()
	s, err := decodeSnapshot(good)
	require.NoError(t, err, "round trip")
	assert.Equal(t, uint64(2*pageSize), s.size)
	if assert.Len(t, s.runs, 2) {
		assert.Equal(t, "abc", string(s.runs[0].data))
		assert.Equal(t, uint64(pageSize), s.runs[1].off)
	}
	outOfRange := (&snapshot{size: pageSize, runs: []memRun{{off: pageSize - 2, data: []byte("abc")}}}).encode()
	oddSize := (&snapshot{size: pageSize + 1}).encode()
	for name, b := range map[string][]byte{
		"empty": nil, "wrong format": append([]byte("wasmbox-snapshot-0\n"), good[len(snapshotFormat):]...),
		"truncated": good[:len(good)-1], "trailing bytes": append(bytes.Clone(good), 0),
		"run past the end": outOfRange, "size not whole pages": oddSize,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeSnapshot(b)
			assert.ErrorContains(t, err, "malformed snapshot")
		})
	}
}

// A memory limit below the snapshot's size runs the program in a fresh
// instance instead, which needs less.
func TestMemoryLimitBelowSnapshotRunsFresh(t *testing.T) {
	if testEngine.snap == nil {
		t.Skip("no snapshot on this interpreter")
	}
	limit := testEngine.snap.size - pageSize
	if limit < testEngine.MinMemory() {
		t.Skipf("the snapshot (%d bytes) is no bigger than a fresh instance (%d bytes)", testEngine.snap.size, testEngine.MinMemory())
	}
	res := execIn(t, newSandbox(t, SandboxConfig{MemoryLimit: limit}), `python3 -c 'print(6 * 7)'`, ExecOptions{})
	assertRan(t, 0, "42\n", res)
}
