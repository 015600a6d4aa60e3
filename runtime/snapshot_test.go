package runtime

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shared engine runs the default interpreter, which starts its
// instances from the snapshot.
func TestDefaultEngineUsesSnapshot(t *testing.T) {
	if testEngine.Interpreter() != InterpreterSnapshot || testEngine.snap == nil {
		t.Skipf("the tests run on the %s interpreter", testEngine.Interpreter())
	}
	res := run(t, `python3 -c 'import sys, json; print(sys.version_info[:2], "json" in sys.modules)'`, ExecOptions{})
	if res.ExitCode != 0 || res.Stdout != "(3, 13) True\n" {
		t.Fatalf("got %+v", res)
	}
}

// Copies of one snapshot must not share the random module's state.
func TestSnapshotCopiesDrawDifferentRandomNumbers(t *testing.T) {
	code := `python3 -c 'import random, os; print(random.random(), random.getrandbits(64), os.urandom(8).hex())'`
	a, b := run(t, code, ExecOptions{}), run(t, code, ExecOptions{})
	if a.ExitCode != 0 || b.ExitCode != 0 || a.Stdout == b.Stdout {
		t.Fatalf("two runs drew the same numbers: %q %q (%s %s)", a.Stdout, b.Stdout, a.Stderr, b.Stderr)
	}
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
	if first.ExitCode != 0 {
		t.Fatalf("first: %+v", first)
	}
	second := run(t, `python3 -c '
import json, sys
print(json.dumps([1]), len("ab"), "planted" in sys.modules, "/evil" in sys.path)'`, ExecOptions{Policy: &noPolicy})
	if second.ExitCode != 0 || second.Stdout != "[1] 2 False False\n" {
		t.Fatalf("second saw the first's changes: %+v", second)
	}
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
		rel, _ := filepath.Rel(testEngine.CacheDir(), p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	newEngine := func() *Engine {
		e, err := NewEngine(context.Background(), EngineConfig{CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close(context.Background()) })
		res := execOn(t, e, SandboxConfig{}, nil, `python3 -c 'import json; print(json.dumps({"a": 1}))'`, ExecOptions{})
		if res.ExitCode != 0 || res.Stdout != "{\"a\": 1}\n" {
			t.Fatalf("got %+v", res)
		}
		return e
	}
	e := newEngine()
	files, _ := filepath.Glob(filepath.Join(dir, "snapshot-*.mem"))
	if len(files) != 1 {
		t.Fatalf("snapshot files: %v", files)
	}
	saved, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := readChecked(files[0]); !ok || !bytes.Equal(d, e.snap.encode()) {
		t.Fatal("the cached snapshot is not the engine's")
	}
	bad := bytes.Clone(saved)
	bad[len(bad)/2] ^= 0x10
	if err := os.WriteFile(files[0], bad, 0o644); err != nil {
		t.Fatal(err)
	}
	e = newEngine()
	// Taken again, not equal to the first: the string-hash seed differs.
	if d, ok := readChecked(files[0]); !ok || !bytes.Equal(d, e.snap.encode()) {
		t.Fatal("the corrupt snapshot was not taken again")
	}
}

func TestDecodeSnapshotRefusesMalformedFiles(t *testing.T) {
	good := (&snapshot{size: 2 * pageSize, runs: []memRun{{off: 4096, data: []byte("abc")}, {off: pageSize, data: make([]byte, 4096)}}}).encode()
	s, err := decodeSnapshot(good)
	if err != nil || s.size != 2*pageSize || len(s.runs) != 2 || string(s.runs[0].data) != "abc" || s.runs[1].off != pageSize {
		t.Fatalf("round trip: %+v %v", s, err)
	}
	outOfRange := (&snapshot{size: pageSize, runs: []memRun{{off: pageSize - 2, data: []byte("abc")}}}).encode()
	oddSize := (&snapshot{size: pageSize + 1}).encode()
	for name, b := range map[string][]byte{
		"empty": nil, "wrong format": append([]byte("wasmbox-snapshot-0\n"), good[len(snapshotFormat):]...),
		"truncated": good[:len(good)-1], "trailing bytes": append(bytes.Clone(good), 0),
		"run past the end": outOfRange, "size not whole pages": oddSize,
	} {
		if _, err := decodeSnapshot(b); err == nil || !strings.Contains(err.Error(), "malformed snapshot") {
			t.Errorf("%s: %v", name, err)
		}
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
	if res.ExitCode != 0 || res.Stdout != "42\n" {
		t.Fatalf("got %+v", res)
	}
}
