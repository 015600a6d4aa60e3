package runtime

import (
	"context"
	"errors"
	"io/fs"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/sys"

	"github.com/wasmbox/wasmbox/assets"
	"github.com/wasmbox/wasmbox/internal/guard"
)

// InterpreterSnapshot names the embedded interpreter, as Engine.Interpreter
// reports it: our own CPython 3.13 build, a WASI reactor (assets/cpython313),
// whose instances start from a memory snapshot taken after the interpreter
// and the modules jobs use were initialised.
const InterpreterSnapshot = "cpython313"

// Entry points of a reactor build (assets/build/wasmbox_reactor.c).
const (
	entryMain = "wasmbox_main" // run like python3 with the WASI argv
	entryInit = "wasmbox_init" // initialise, run the -c code, stay alive
	entryRun  = "wasmbox_run"  // call __main__.__wasmbox_run__()
)

// stdlibMount is where a reactor build finds its standard library zip.
const stdlibMount = "/usr/local/lib"

// interpreter is what an engine runs: the module and what it needs besides.
type interpreter struct {
	name    string
	version string // CPython's
	wasm    []byte
	sum     string // the module's SHA-256, hex, naming what is cached for it
	// stdlib is the directory mounted read-only at stdlibMount when the
	// module is a reactor (a command module carries its own).
	stdlib    fs.FS
	stdlibSum string // the SHA-256 of its zip, hex
	// stdlibPrefixes are the file-name prefixes of the standard library's
	// code objects, which the guard trusts.
	stdlibPrefixes []string
	// verify checks embedded files against the sums pinned in package
	// assets (nil: nothing to check). It hashes some 20 MB, so NewEngine
	// runs it beside the compilation, and once per binary (verifyEmbedded).
	verify func() error
}

// snapshotAssetErr checks the embedded module and standard library against
// their pinned checksums, once a process.
var snapshotAssetErr = sync.OnceValue(func() error {
	if err := checkAsset(assets.CPython313Wasm, assets.CPython313WasmSHA256, "assets/cpython313/python.wasm"); err != nil {
		return err
	}
	return checkAssetFile(assets.CPython313Stdlib, "python313.zip", assets.CPython313StdlibSHA256, "assets/cpython313/python313.zip")
})

// verifyEmbedded runs verify, if the interpreter has one, once per binary:
// a stamp in cacheDir ("": none) records that this binary's embedded files
// passed (see embedstamp.go).
func (in interpreter) verifyEmbedded(cacheDir string) error {
	if in.verify == nil {
		return nil
	}
	return verifyStamped(embedStampPath(cacheDir, in.sum, in.stdlibSum), in.verify)
}

// embeddedInterpreter is the interpreter an engine runs unless
// EngineConfig.Wasm names another.
func embeddedInterpreter() interpreter {
	return interpreter{
		name: InterpreterSnapshot, version: assets.CPython313Version, wasm: assets.CPython313Wasm, sum: assets.CPython313WasmSHA256,
		stdlib: assets.CPython313Stdlib, stdlibSum: assets.CPython313StdlibSHA256, stdlibPrefixes: guard.DefaultStdlibPrefixes,
		verify: snapshotAssetErr,
	}
}

// customInterpreter is EngineConfig.Wasm. A reactor gets the embedded
// CPython 3.13 standard library.
func customInterpreter(wasm []byte, sum string) interpreter {
	return interpreter{
		name: "custom", version: "unknown", wasm: wasm, sum: sum,
		stdlib: assets.CPython313Stdlib, stdlibSum: assets.CPython313StdlibSHA256, stdlibPrefixes: guard.DefaultStdlibPrefixes,
	}
}

// fsConfig mounts root at / and, for a reactor, the standard library,
// read-only: writes there fail with ENOSYS.
func (e *Engine) fsConfig(root experimentalsys.FS) wazero.FSConfig {
	return e.mountConfig(root, e.stdlibFS())
}

// stdlibFS is the standard library's read-only mount.
func (e *Engine) stdlibFS() experimentalsys.FS {
	return &sysfs.ReadFS{FS: &sysfs.AdaptFS{FS: e.interp.stdlib}}
}

// mountConfig mounts root at / and, for a reactor, lib at stdlibMount.
func (e *Engine) mountConfig(root, lib experimentalsys.FS) wazero.FSConfig {
	c := wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(root, "/")
	if e.reactor {
		return c.(sysfs.FSConfig).WithSysFSMount(lib, stdlibMount)
	}
	return c
}

// instantiate runs one instance of the interpreter to its end: a command's
// _start; a reactor's _initialize and then its main entry; or, with
// restore, a reactor instance given the snapshot's memory instead of
// _initialize, and then its run entry.
func (e *Engine) instantiate(ctx context.Context, alloc *limitedAllocator, mcfg wazero.ModuleConfig, restore *snapshot) error {
	e.stats.started.Add(1)
	defer e.stats.ended.Add(1)
	entry := entryMain
	switch {
	case restore != nil:
		mcfg, entry = mcfg.WithStartFunctions(), entryRun
	case e.reactor:
		mcfg = mcfg.WithStartFunctions("_initialize")
	}
	mod, err := e.rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, alloc), e.module, mcfg)
	if mod != nil {
		defer mod.Close(context.Background())
	}
	if err != nil || !e.reactor {
		return err
	}
	if restore != nil {
		if err := restore.restore(mod.Memory()); err != nil {
			return err
		}
	}
	return callEntry(ctx, mod, entry)
}

// callEntry calls one of a reactor's entry points, which return a status or
// exit. The error is nil for status 0, a *sys.ExitError for any other.
//
// The guest stops when ctx ends: a reactor build calls sched_yield every
// wasmbin.PreemptInterval loop iterations, and schedYield ends the call
// there. Host calls that block (stdin, sleeping) return at ctx's end by
// themselves.
func callEntry(ctx context.Context, mod api.Module, name string) error {
	res, err := mod.ExportedFunction(name).Call(ctx)
	var exit *sys.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 0:
		return nil
	case err != nil:
		return err
	case len(res) == 1 && uint32(res[0]) != 0:
		return sys.NewExitError(uint32(res[0]))
	}
	return nil
}
