// Package runtime runs CPython, compiled to WebAssembly, in a sandbox.
//
// An Engine compiles the interpreter once per process (keeping the machine
// code in an on-disk cache between processes). Each Sandbox made from it has
// its own in-memory filesystem, and each Sandbox.Exec starts a fresh
// interpreter instance over that filesystem, with a wall-clock timeout, a
// linear-memory limit and capped output. The guest sees no host file, no
// host environment variable and no network. A Context (Sandbox.NewContext)
// instead keeps one instance alive across runs, like a notebook kernel,
// and can be forked, saved and resumed.
//
// PythonRunner puts it together for the common case: check code against a
// policy, run it once, and throw the sandbox away.
package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmbox/wasmbox/internal/wasmbin"
)

// CacheDirEnv names the environment variable that overrides the default
// compilation-cache directory.
const CacheDirEnv = "WASMBOX_CACHE_DIR"

// EngineConfig configures NewEngine. The zero value is ready to use.
type EngineConfig struct {
	// CacheDir is the directory where compiled machine code is kept between
	// processes. Empty means $WASMBOX_CACHE_DIR, or else "wasmbox" under
	// os.UserCacheDir. If the directory cannot be created, the engine warns
	// through log/slog and compiles in memory.
	CacheDir string

	// NoCache turns the on-disk cache off: every process compiles anew.
	NoCache bool

	// CompilationWorkers is how many goroutines compile the module in
	// parallel. Zero means one for each CPU.
	CompilationWorkers int

	// Pool keeps interpreters started ahead of need; off by default. See
	// PoolConfig.
	Pool PoolConfig

	// Wasm, when set, is the interpreter module to run instead of the
	// embedded one (whose SHA-256 NewEngine checks against the one pinned
	// in package assets): a WASI command, or a reactor with wasmbox's entry
	// points (which gets the embedded CPython 3.13 standard library).
	Wasm []byte

	// WasmSHA256, when set, is the hex SHA-256 that Wasm must have;
	// NewEngine refuses other bytes.
	WasmSHA256 string

	// MaxContexts caps the code contexts alive at once (see
	// Sandbox.NewContext). Zero means DefaultMaxContexts.
	MaxContexts int

	// preload replaces the preload set (see preload.go) when not nil;
	// tests set it.
	preload []string
	// variant makes the engine a preloaded variant (see preload.go).
	variant *variantConfig
}

// Engine holds one wazero runtime with the interpreter compiled in it. It is
// safe for concurrent use; make one per process and share it.
type Engine struct {
	rt        wazero.Runtime
	module    wazero.CompiledModule
	interp    interpreter
	reactor   bool // the module exports wasmbox's reactor entry points: see interp.go
	snap      *snapshot
	seeds     seedSnapshots  // deterministic runs' snapshots: see determinism.go
	preload   preloadVariant // the engine for jobs importing the preload set: see preload.go
	warmArgs  []string       // a preloaded variant's: see preload.go
	cacheDir  string
	minMemory uint64 // the memory the module asks for at start, in bytes
	pool      *pool  // nil when off
	contexts  contextCount
	ctxBase   contextBase // what saved contexts are compared with: see context_snapshot.go
	bootOnce  sync.Once
	bootCode  []byte // the guard's boot as bytecode, or nil
	stats     struct{ started, ended, warmServed, preloaded atomic.Int64 }
	// snapshotsTaken counts the snapshots taken rather than read from the
	// cache directory.
	snapshotsTaken atomic.Int64
}

// EngineStats counts an engine's interpreter instances.
type EngineStats struct {
	// InstancesStarted and InstancesEnded count instances, warm ones
	// included; the difference is how many are alive.
	InstancesStarted, InstancesEnded int64
	// WarmReady is how many warm instances wait for a job now.
	WarmReady int
	// WarmServed counts jobs that ran in a warm instance.
	WarmServed int64
	// Preloaded counts jobs run by the preloaded variant, the interpreter
	// with the preload set (numpy) imported: see preload.go. The other
	// counts include the variant's instances.
	Preloaded int64
}

// Stats returns the engine's instance counts.
func (e *Engine) Stats() EngineStats {
	st := EngineStats{
		InstancesStarted: e.stats.started.Load(),
		InstancesEnded:   e.stats.ended.Load(),
		WarmServed:       e.stats.warmServed.Load(),
		Preloaded:        e.stats.preloaded.Load(),
	}
	st.WarmReady = e.pool.readyCount()
	if v := e.preload.current(); v != nil {
		vs := v.Stats()
		st.InstancesStarted += vs.InstancesStarted
		st.InstancesEnded += vs.InstancesEnded
		st.WarmReady += vs.WarmReady
		st.WarmServed += vs.WarmServed
	}
	return st
}

// NewEngine compiles the interpreter, or loads it from the compilation cache.
//
// The cache is an optimisation, never a reason to fail: a corrupt entry (a
// torn write, a flipped bit: wazero checks a CRC) is removed and rebuilt,
// and a cache that cannot be created, read or written (disk full, read-only)
// is given up with a warning, and the interpreter is compiled in memory.
func NewEngine(ctx context.Context, cfg EngineConfig) (*Engine, error) {
	interp := embeddedInterpreter()
	if cfg.Wasm != nil {
		h := sha256.Sum256(cfg.Wasm)
		sum := hex.EncodeToString(h[:])
		if cfg.WasmSHA256 != "" && !strings.EqualFold(cfg.WasmSHA256, sum) {
			return nil, fmt.Errorf("wasmbox: the interpreter module has SHA-256 %s, want %s: refusing to run it", sum, cfg.WasmSHA256)
		}
		interp = customInterpreter(cfg.Wasm, sum)
	}
	if cfg.variant != nil {
		interp = cfg.variant.interp
	}
	wasm := interp.wasm
	e := &Engine{interp: interp}
	if cfg.variant != nil {
		e.warmArgs = cfg.variant.warmArgs
	}
	e.contexts.max = cfg.MaxContexts
	if e.contexts.max <= 0 {
		e.contexts.max = DefaultMaxContexts
	}
	workers := cfg.CompilationWorkers
	if workers <= 0 {
		workers = goruntime.NumCPU()
	}
	var cache wazero.CompilationCache
	if !cfg.NoCache {
		dir, err := cacheDir(cfg.CacheDir)
		if err == nil {
			cache, err = newCompilationCache(dir)
		}
		if err != nil {
			slog.Warn("wasmbox: compilation cache disabled, compiling in memory", "dir", dir, "err", err)
			cache = nil
		} else {
			e.cacheDir = dir
		}
	}
	// A reactor build with preemption points (wasmbin.AddPreemption) is
	// stopped at its deadline by schedYield; any other module by wazero's
	// WithCloseOnContextDone, which costs a call into Go at every loop
	// iteration of the guest.
	exports := wasmbin.Exports(wasm)
	kind, ok := exports[entryInit]
	e.reactor = ok && kind == wasmbin.ExportFunc
	kind, ok = exports[wasmbin.BudgetGlobal]
	closeOnDone := !e.reactor || !ok || kind != wasmbin.ExportGlobal
	// Compiling, even from the cache, is mostly wazero validating the
	// module on one core; the embedded files' checksums and the cached
	// snapshot are read on another meanwhile.
	verified := make(chan error, 1)
	go func(dir string) { verified <- interp.verifyEmbedded(dir) }(e.cacheDir)
	var cachedSnap chan *snapshot
	if e.reactor {
		cachedSnap = make(chan *snapshot, 1)
		go func(path string) { cachedSnap <- readSnapshot(path) }(e.snapshotPath())
	}
	rt, mod, err := compileModule(ctx, cache, wasm, workers, closeOnDone)
	if err != nil && cache != nil && strings.Contains(err.Error(), "compilationcache:") {
		// wazero found an entry it cannot load, and does not remove it.
		n := removeCacheEntries(e.cacheDir)
		slog.Warn("wasmbox: corrupt compilation cache entry; removed the cache's entries, compiling again", "dir", e.cacheDir, "removed", n, "err", err)
		rt, mod, err = compileModule(ctx, cache, wasm, workers, closeOnDone)
	}
	if err != nil && cache != nil {
		slog.Warn("wasmbox: compilation cache unusable, compiling in memory", "dir", e.cacheDir, "err", err)
		cache.Close(ctx)
		e.cacheDir = ""
		rt, mod, err = compileModule(ctx, nil, wasm, workers, closeOnDone)
	}
	if verr := <-verified; verr != nil {
		if err == nil {
			rt.Close(ctx)
		}
		return nil, verr
	}
	if err != nil {
		return nil, err
	}
	e.rt, e.module = rt, mod
	for _, m := range mod.ExportedMemories() {
		e.minMemory = uint64(m.Min()) * pageSize
	}
	if e.reactor {
		if e.snap, err = e.loadSnapshot(ctx, <-cachedSnap); err != nil {
			rt.Close(ctx)
			return nil, err
		}
	}
	if cfg.Pool.Size > 0 {
		e.pool = newPool(e, cfg.Pool)
	}
	e.preload.cfg = cfg
	e.preload.mods = preloadSet(cfg.preload)
	return e, nil
}

// compileModule makes a runtime with the WASI host module, using cache when
// it is not nil, and compiles wasm in it. closeOnDone turns on wazero's
// WithCloseOnContextDone.
func compileModule(ctx context.Context, cache wazero.CompilationCache, wasm []byte, workers int, closeOnDone bool) (wazero.Runtime, wazero.CompiledModule, error) {
	rcfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(closeOnDone)
	if cache != nil {
		rcfg = rcfg.WithCompilationCache(cache)
	}
	rt := wazero.NewRuntimeWithConfig(ctx, rcfg)
	if err := instantiateWASI(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, nil, fmt.Errorf("wasmbox: WASI host module: %w", err)
	}
	mod, err := rt.CompileModule(experimental.WithCompilationWorkers(ctx, workers), wasm)
	if err != nil {
		rt.Close(ctx)
		return nil, nil, fmt.Errorf("wasmbox: compiling the interpreter: %w", err)
	}
	return rt, mod, nil
}

// removeCacheEntries removes wazero's compiled-module files (named by their
// 64-hex-digit key) under dir and returns how many it removed. Temporary
// files of writes under way, and anything else, are left alone.
func removeCacheEntries(dir string) int {
	entries, _ := filepath.Glob(filepath.Join(dir, "wazero-*", "*"))
	n := 0
	for _, p := range entries {
		name := filepath.Base(p)
		if _, err := hex.DecodeString(name); err != nil || len(name) != 2*sha256.Size {
			continue
		}
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && os.Remove(p) == nil {
			n++
		}
	}
	return n
}

// checkAsset reports an error unless data, embedded from path, has the
// SHA-256 want.
func checkAsset(data []byte, want, path string) error {
	return checkAssetReader(bytes.NewReader(data), want, path)
}

// checkAssetFile is checkAsset for the file name in fsys, read as a stream:
// copying a large embedded file only to hash it costs more than the hash.
func checkAssetFile(fsys fs.FS, name, want, path string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("wasmbox: the embedded %s is missing: %w", path, err)
	}
	defer f.Close()
	return checkAssetReader(f, want, path)
}

func checkAssetReader(r io.Reader, want, path string) error {
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return fmt.Errorf("wasmbox: reading the embedded %s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("wasmbox: the embedded interpreter (%s, %d bytes) is corrupt: its SHA-256 is %s, want %s; rebuild wasmbox from a clean checkout", path, n, got, want)
	}
	return nil
}

// cacheDir resolves the compilation-cache directory and creates it.
func cacheDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(CacheDirEnv)
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(base, "wasmbox")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// CacheDir returns the directory of the compilation cache in use, or "" when
// the engine compiles in memory.
func (e *Engine) CacheDir() string { return e.cacheDir }

// Interpreter returns the name of the interpreter the engine runs:
// InterpreterSnapshot, or "custom" for EngineConfig.Wasm.
func (e *Engine) Interpreter() string { return e.interp.name }

// PythonVersion returns the version of the CPython the engine runs, or
// "unknown" for EngineConfig.Wasm.
func (e *Engine) PythonVersion() string { return e.interp.version }

// MinMemory returns the least linear memory, in bytes, that the interpreter
// needs to start. A smaller memory limit is refused.
func (e *Engine) MinMemory() uint64 { return e.minMemory }

// Close releases the runtime and everything compiled in it. Sandboxes made
// from the engine must not be used after.
func (e *Engine) Close(ctx context.Context) error {
	e.pool.close()
	e.preload.close(ctx)
	return e.rt.Close(ctx)
}
