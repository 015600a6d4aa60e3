// Package runtime runs CPython, compiled to WebAssembly, in a sandbox.
//
// An Engine compiles the interpreter once per process (keeping the machine
// code in an on-disk cache between processes). Each Sandbox made from it has
// its own in-memory filesystem, and each Sandbox.Exec starts a fresh
// interpreter instance over that filesystem, with a wall-clock timeout, a
// linear-memory limit and capped output. The guest sees no host file, no
// host environment variable and no network.
//
// PythonRunner puts it together for the common case: check code against a
// policy, run it once, and throw the sandbox away.
package runtime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmbox/wasmbox/assets"
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

	// Wasm is the interpreter module to run. Nil means the embedded CPython,
	// assets.PythonWasm.
	Wasm []byte
}

// Engine holds one wazero runtime with the interpreter compiled in it. It is
// safe for concurrent use; make one per process and share it.
type Engine struct {
	rt        wazero.Runtime
	module    wazero.CompiledModule
	cacheDir  string
	minMemory uint64 // the memory the module asks for at start, in bytes
	pool      *pool  // nil when off
	moduleSum string // SHA-256 of the module, naming what is cached for it
	bootOnce  sync.Once
	bootCode  []byte // the guard's boot as bytecode, or nil
	stats     struct{ started, ended, warmServed atomic.Int64 }
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
}

// Stats returns the engine's instance counts.
func (e *Engine) Stats() EngineStats {
	st := EngineStats{
		InstancesStarted: e.stats.started.Load(),
		InstancesEnded:   e.stats.ended.Load(),
		WarmServed:       e.stats.warmServed.Load(),
	}
	if e.pool != nil {
		e.pool.mu.Lock()
		st.WarmReady = len(e.pool.ready)
		e.pool.mu.Unlock()
	}
	return st
}

// instantiate runs one instance of the interpreter to its end.
func (e *Engine) instantiate(ctx context.Context, alloc *limitedAllocator, mcfg wazero.ModuleConfig) error {
	e.stats.started.Add(1)
	defer e.stats.ended.Add(1)
	mod, err := e.rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, alloc), e.module, mcfg)
	if mod != nil {
		mod.Close(context.Background())
	}
	return err
}

// NewEngine compiles the interpreter, or loads it from the compilation cache.
func NewEngine(ctx context.Context, cfg EngineConfig) (*Engine, error) {
	wasm, sum := cfg.Wasm, assets.PythonWasmSHA256
	if wasm == nil {
		wasm = assets.PythonWasm
	} else {
		h := sha256.Sum256(wasm)
		sum = hex.EncodeToString(h[:])
	}
	rcfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(true)
	e := &Engine{moduleSum: sum}
	if !cfg.NoCache {
		dir, err := cacheDir(cfg.CacheDir)
		var cache wazero.CompilationCache
		if err == nil {
			cache, err = wazero.NewCompilationCacheWithDir(dir)
		}
		if err != nil {
			slog.Warn("wasmbox: compilation cache disabled, compiling in memory", "dir", dir, "err", err)
		} else {
			rcfg = rcfg.WithCompilationCache(cache)
			e.cacheDir = dir
		}
	}
	e.rt = wazero.NewRuntimeWithConfig(ctx, rcfg)
	if err := instantiateWASI(ctx, e.rt); err != nil {
		e.rt.Close(ctx)
		return nil, fmt.Errorf("wasmbox: WASI host module: %w", err)
	}
	workers := cfg.CompilationWorkers
	if workers <= 0 {
		workers = goruntime.NumCPU()
	}
	mod, err := e.rt.CompileModule(experimental.WithCompilationWorkers(ctx, workers), wasm)
	if err != nil {
		e.rt.Close(ctx)
		return nil, fmt.Errorf("wasmbox: compiling the interpreter: %w", err)
	}
	e.module = mod
	for _, m := range mod.ExportedMemories() {
		e.minMemory = uint64(m.Min()) * pageSize
	}
	if cfg.Pool.Size > 0 {
		e.pool = newPool(e, cfg.Pool)
	}
	return e, nil
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

// MinMemory returns the least linear memory, in bytes, that the interpreter
// needs to start. A smaller memory limit is refused.
func (e *Engine) MinMemory() uint64 { return e.minMemory }

// Close releases the runtime and everything compiled in it. Sandboxes made
// from the engine must not be used after.
func (e *Engine) Close(ctx context.Context) error {
	e.pool.close()
	return e.rt.Close(ctx)
}
