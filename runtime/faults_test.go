package runtime

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/assets"
)

// tinyWasm is the smallest WASI command: one page of memory and a _start
// that returns. It compiles in microseconds, so the compilation-cache tests
// exercise wazero's cache without compiling CPython again.
var tinyWasm = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
	0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: func() -> ()
	0x03, 0x02, 0x01, 0x00, // function 0 has type 0
	0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1 page
	0x07, 0x13, 0x02, // two exports
	0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
	0x06, '_', 's', 't', 'a', 'r', 't', 0x00, 0x00,
	0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b, // code: an empty body
}

// captureLogs sends slog's default logger to a buffer until the test ends.
// Tests that use it must not run in parallel.
func captureLogs(t *testing.T) *syncBuffer {
	t.Helper()
	buf := &syncBuffer{}
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return buf
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cacheEntries lists wazero's entries under a cache directory.
func cacheEntries(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	require.NoError(t, err)
	return files
}

// newTinyEngine makes an engine of tinyWasm on dir and checks that it runs.
func newTinyEngine(t *testing.T, dir string) *Engine {
	t.Helper()
	e, err := NewEngine(context.Background(), EngineConfig{CacheDir: dir, Wasm: tinyWasm})
	require.NoError(t, err, "NewEngine")
	t.Cleanup(func() { e.Close(context.Background()) })
	s, err := e.NewSandbox(SandboxConfig{Timeout: testTimeout})
	require.NoError(t, err)
	res, err := s.Exec(context.Background(), "python3 -c pass", ExecOptions{})
	require.NoError(t, err, "the engine does not run")
	require.Equal(t, 0, res.ExitCode, "the engine does not run: %+v", res)
	return e
}

func TestEmbeddedAssetChecksum(t *testing.T) {
	assert.NoError(t, snapshotAssetErr(), "the embedded reactor fails its own check")
	for path, asset := range map[string]struct {
		data []byte
		sum  string
	}{
		"assets/cpython313/python.wasm": {assets.CPython313Wasm, assets.CPython313WasmSHA256},
	} {
		t.Run(path, func(t *testing.T) {
			bad := bytes.Clone(asset.data)
			bad[len(bad)/2] ^= 1
			err := checkAsset(bad, asset.sum, path)
			require.Error(t, err, "a flipped bit passed the check")
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "is corrupt: its SHA-256 is")
			assert.Contains(t, err.Error(), asset.sum)
		})
	}
}

func TestWrongOrGarbageWasmRefused(t *testing.T) {
	_, err := NewEngine(context.Background(), EngineConfig{NoCache: true, Wasm: tinyWasm, WasmSHA256: assets.CPython313WasmSHA256})
	assert.ErrorContains(t, err, "refusing to run it", "wrong checksum")
	for name, garbage := range map[string][]byte{
		"empty":     {},
		"script":    []byte("#!/bin/sh\necho hi\n"),
		"truncated": tinyWasm[:20],
	} {
		t.Run(name, func(t *testing.T) {
			_, err := NewEngine(context.Background(), EngineConfig{NoCache: true, Wasm: garbage})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "wasmbox: compiling the interpreter: "), "error %q", err)
		})
	}
}

func TestCorruptCacheEntryRebuilt(t *testing.T) {
	logs := captureLogs(t)
	dir := t.TempDir()
	newTinyEngine(t, dir)
	entries := cacheEntries(t, dir)
	require.Len(t, entries, 1, "cache entries")
	good, err := os.ReadFile(entries[0])
	require.NoError(t, err)
	for name, corrupt := range map[string][]byte{
		"flipped bit": func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 0x40; return b }(),
		"truncated":   good[:len(good)/3],
		"empty":       {},
		"garbage":     bytes.Repeat([]byte("x"), len(good)),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, os.WriteFile(entries[0], corrupt, 0o600))
			e := newTinyEngine(t, dir)
			assert.Equal(t, dir, e.CacheDir(), "the engine gave up its cache")
			rebuilt, err := os.ReadFile(entries[0])
			assert.NoError(t, err)
			assert.Equal(t, good, rebuilt, "the entry was not rebuilt")
		})
	}
	assert.Equal(t, 4, strings.Count(logs.String(), "corrupt compilation cache entry"), "warnings in:\n%s", logs)
}

func TestUnreadableCacheEntryFallsBackToMemory(t *testing.T) {
	logs := captureLogs(t)
	dir := t.TempDir()
	newTinyEngine(t, dir)
	entry := cacheEntries(t, dir)[0]
	// A directory where the entry should be: it can be neither read nor
	// replaced.
	require.NoError(t, os.Remove(entry))
	require.NoError(t, os.Mkdir(entry, 0o700))
	e := newTinyEngine(t, dir)
	assert.Empty(t, e.CacheDir(), "want in memory")
	assert.Contains(t, logs.String(), "compilation cache unusable, compiling in memory")
}

func TestUncreatableCacheDirFallsBackToMemory(t *testing.T) {
	logs := captureLogs(t)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	e := newTinyEngine(t, filepath.Join(file, "cache"))
	assert.Empty(t, e.CacheDir(), "want in memory")
	assert.Contains(t, logs.String(), "compilation cache disabled, compiling in memory")
}

// TestFullDiskCacheFallsBackToMemory makes every file write past 16 bytes
// fail, as on a full disk (EFBIG instead of ENOSPC, same path in wazero):
// the compiled module cannot be stored, and the engine compiles in memory.
//
// The file-size limit is the whole process's, so the test runs itself in
// a child process: in this one it would also fail the test framework's
// own writes (its test log: "file too large").
func TestFullDiskCacheFallsBackToMemory(t *testing.T) {
	if os.Getenv(fullDiskChild) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFullDiskCacheFallsBackToMemory$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), fullDiskChild+"=1")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "--- PASS: TestFullDiskCacheFallsBackToMemory", "%s", out)
		return
	}
	logs := captureLogs(t)
	dir := t.TempDir()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Skip(err)
	}
	small := old
	small.Cur = 16
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &small); err != nil {
		t.Skip(err)
	}
	e, err := NewEngine(context.Background(), EngineConfig{CacheDir: dir, Wasm: tinyWasm})
	syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)
	require.NoError(t, err, "NewEngine on a full disk")
	defer e.Close(context.Background())
	assert.Empty(t, e.CacheDir(), "want in memory")
	assert.Contains(t, logs.String(), "compilation cache unusable, compiling in memory")
}

// fullDiskChild marks the child process TestFullDiskCacheFallsBackToMemory
// runs itself in.
const fullDiskChild = "WASMBOX_TEST_FULL_DISK_CHILD"

// TestCancelAtEveryStage cancels an execution before it starts, while the
// interpreter starts, while it runs and while its output is written: each
// ends with exit 130 and an error wrapping context.Canceled, promptly.
func TestCancelAtEveryStage(t *testing.T) {
	type stage struct {
		name    string
		command string
		// cancel arranges the cancellation; stdout is the program's
		// stdout writer.
		cancel func(cancel context.CancelFunc) (stdout io.Writer)
	}
	for _, st := range []stage{
		{"before start", "python3 -c 'print(1)'", func(c context.CancelFunc) io.Writer { c(); return nil }},
		{"instantiating", "python3 -c 'print(1)'", func(c context.CancelFunc) io.Writer { time.AfterFunc(time.Millisecond, c); return nil }},
		{"running", "python3 -c 'import time; time.sleep(3600)'", func(c context.CancelFunc) io.Writer { time.AfterFunc(300*time.Millisecond, c); return nil }},
		{"writing results", "python3 -c 'while True: print(\"x\" * 100)'", func(c context.CancelFunc) io.Writer {
			var once sync.Once
			return writerFunc(func(p []byte) (int, error) { once.Do(c); return len(p), nil })
		}},
	} {
		t.Run(st.name, func(t *testing.T) {
			s := newSandbox(t, SandboxConfig{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdout := st.cancel(cancel)
			start := time.Now()
			res, err := s.Exec(ctx, st.command, ExecOptions{Stdout: stdout})
			assert.LessOrEqual(t, time.Since(start), 15*time.Second, "stopped late")
			require.ErrorIs(t, err, context.Canceled)
			require.NotNil(t, res)
			assert.Equal(t, ExitCanceled, res.ExitCode)
			assert.False(t, res.TimedOut, "TimedOut")
			// The sandbox is still usable.
			res = execIn(t, s, "python3 -c 'print(2)'", ExecOptions{})
			assert.Equal(t, "2\n", res.Stdout, "after the cancel: %+v", res)
		})
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
