package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/wasmbox/wasmbox/assets"
	"github.com/wasmbox/wasmbox/internal/shell"
	"github.com/wasmbox/wasmbox/validate"
)

// Besides its own interpreter and snapshot, an engine has a preloaded
// variant, made the first time a job needs it: a second engine whose
// snapshot has the modules of the preload set imported (numpy, whose
// import costs far more than a whole run of a small program), on the
// interpreter build that has them (numpy's: assets.NumpyWasm, with numpy's
// Python part on sys.path). A job runs on the variant when a static scan
// of its code and of its own modules beside it (validate.Imports; see
// Sandbox.preloadFor) finds one of those modules imported, its policy
// allows them all, and it can run warm; every other job runs on the engine
// as before, and an engine that never sees such code never compiles,
// snapshots or pools the variant. numpy is only in the variant's build:
// code that imports it where the scan cannot see (__import__, importlib,
// a script on stdin, python3 -m, a relative import inside the program's
// package, a package mounted with --packages) runs on the base build and
// gets ModuleNotFoundError.
//
// The variant is an engine in its own right, with the same cache
// directory and pool settings: its compiled module, its snapshot (cached
// under a name keyed by the sums of what goes into it plus the preload
// set) and its seeds' snapshots for deterministic runs are cached like the
// base engine's, and its warm instances are its own (made at its first
// use; the idle timeout lets them go).
//
// A snapshot freezes module state that every job restored from it
// shares: warm.py reseeds the random module in each job; numpy makes
// numpy.random (and its global state) on first use, in the job. A package
// mounted with --packages cannot replace a preloaded module, as it cannot
// replace the modules warm.py imports.
//
// What a preloaded module could give away is what importing it gives: a
// job runs on the variant only when its policy would let it import every
// module of the set, so the preloaded modules (and what they imported)
// are ones its code could have had anyway. The guard does not trust
// sys.modules: an import is judged by the importer and the name, loaded
// before the job or during it (see internal/guard); but loaded modules
// that are neither dangerous nor private can be reached without an import
// (typing's forward references evaluate in typing's globals), hence the
// policy condition.

// preloadModules is the preload set: the top-level modules the variant
// imports.
var preloadModules = []string{"numpy"}

// numpyPath is where numpy's Python part is in the guest (the standard
// library's mount holds numpy.zip beside python313.zip).
const numpyPath = stdlibMount + "/numpy.zip"

// variantConfig makes an engine a preloaded variant.
type variantConfig struct {
	interp   interpreter
	warmArgs []string // sys.path entries (absolute) then modules, for warm.py
}

// variantFor returns the variant of an engine running interp that imports
// mods: on the numpy build with numpy.zip on sys.path when mods hold numpy
// and interp is the embedded build, else on interp itself.
func variantFor(interp interpreter, mods []string) *variantConfig {
	if slices.Contains(mods, "numpy") && interp.sum == assets.CPython313WasmSHA256 {
		return &variantConfig{interp: numpyInterpreter(), warmArgs: append([]string{numpyPath}, mods...)}
	}
	return &variantConfig{interp: interp, warmArgs: mods}
}

// numpyInterpreter is the embedded build with numpy linked in.
func numpyInterpreter() interpreter {
	in := embeddedInterpreter()
	in.name, in.wasm, in.sum = InterpreterSnapshot+"-numpy", assets.NumpyWasm, assets.NumpyWasmSHA256
	// numpy.zip is on the same mount: both sums name what the guest sees.
	in.stdlibSum += "+" + assets.NumpyZipSHA256
	in.verify = numpyAssetErr
	return in
}

// numpyAssetErr checks the numpy build and numpy.zip against their pinned
// checksums, and what snapshotAssetErr checks, once a process.
var numpyAssetErr = sync.OnceValue(func() error {
	if err := snapshotAssetErr(); err != nil {
		return err
	}
	if err := checkAsset(assets.NumpyWasm, assets.NumpyWasmSHA256, "assets/cpython313/python-numpy.wasm"); err != nil {
		return err
	}
	return checkAssetFile(assets.CPython313Stdlib, "numpy.zip", assets.NumpyZipSHA256, "assets/cpython313/numpy.zip")
})

// preloadSet returns the engine's preload set, sorted: override when not
// nil (tests set EngineConfig.preload), else preloadModules.
func preloadSet(override []string) []string {
	mods := preloadModules
	if override != nil {
		mods = override
	}
	return slices.Sorted(slices.Values(mods))
}

// preloadVariant is an engine's preloaded variant. Its methods are safe
// for concurrent use.
type preloadVariant struct {
	mods []string     // the preload set, sorted; none: no variant
	cfg  EngineConfig // the engine's, for the variant's

	mu     sync.Mutex
	engine *Engine // nil until first needed
	err    error   // why it could not be made, for good
	closed bool
}

// failure is why the variant could not be made, if it could not.
func (v *preloadVariant) failure() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err == nil {
		return errors.New("no snapshot")
	}
	return v.err
}

// current returns the variant if it has been made.
func (v *preloadVariant) current() *Engine {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.engine
}

// variant returns the preloaded variant, making it on first use, or nil when it cannot be
// had. Making it (compiling or loading the interpreter, taking or reading
// its snapshot) is not cut short by ctx: the job that asked first may go,
// the others wait for the same variant.
func (e *Engine) variant(ctx context.Context) *Engine {
	v := &e.preload
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.engine == nil && v.err == nil && !v.closed {
		cfg := EngineConfig{
			CacheDir: e.cacheDir, NoCache: e.cacheDir == "", CompilationWorkers: v.cfg.CompilationWorkers,
			Pool: v.cfg.Pool, MaxContexts: v.cfg.MaxContexts,
			preload: []string{}, variant: variantFor(e.interp, v.mods),
		}
		// Compiling the module and taking its snapshot grow the Go heap by
		// hundreds of MiB: not a shell command line's growth.
		shell.HostWork(func() { v.engine, v.err = NewEngine(context.WithoutCancel(ctx), cfg) })
		if v.err != nil {
			slog.Warn("wasmbox: no preloaded variant; jobs importing its modules run on the base interpreter", "modules", v.mods, "err", v.err)
		}
	}
	return v.engine
}

// close closes the variant, if it was made; none is made after.
func (v *preloadVariant) close(ctx context.Context) {
	v.mu.Lock()
	engine := v.engine
	v.closed = true
	v.mu.Unlock()
	if engine != nil {
		engine.Close(ctx)
	}
}

// variantOf returns the variant that runs j, or nil when j runs on e: j
// asks for it, can run warm (a fresh instance would not have the
// variant's sys.path) and fits its snapshot in its memory limit.
func (e *Engine) variantOf(ctx context.Context, j job) *Engine {
	if !j.preload || warmArgv(j.argv) == nil || configuresInterpreter(j.env) {
		return nil
	}
	variant := e.variant(ctx)
	switch {
	case variant == nil || variant.snap == nil:
		if j.stderr != nil {
			fmt.Fprintf(j.stderr, "wasmbox: the interpreter with %s could not be started (%v): running without it\n",
				strings.Join(e.preload.mods, ", "), e.preload.failure())
		}
		return nil
	case variant.snap.size > j.memoryLimit:
		if j.stderr != nil {
			fmt.Fprintf(j.stderr, "wasmbox: %s needs a memory limit of at least %d MiB (this run has %d MiB): running without it\n",
				strings.Join(e.preload.mods, ", "), (variant.snap.size+1<<20-1)>>20, j.memoryLimit>>20)
		}
		return nil
	}
	e.stats.preloaded.Add(1)
	return variant
}

// wantsPreload reports whether a job running src under policy p (nil: the
// policy none) should run on the preloaded variant: src imports a module
// of the preload set, and p allows every module of the set.
func (e *Engine) wantsPreload(src []byte, p *validate.Policy) bool {
	return e.preloadAllowed(p) && validate.ImportsAny(src, e.preload.mods)
}

// preloadAllowed reports whether the engine has a preload set and p (nil:
// the policy none) allows every module of it.
func (e *Engine) preloadAllowed(p *validate.Policy) bool {
	mods := e.preload.mods
	if len(mods) == 0 {
		return false
	}
	if p != nil && p.Enabled() {
		allowed := p.AllowedModules()
		for _, m := range mods {
			if !slices.Contains(allowed, m) {
				return false
			}
		}
	}
	return true
}

// maxScannedModules bounds how many of a program's own modules preloadFor
// reads.
const maxScannedModules = 64

// maxScannedBytes and maxScannedTotal bound the source preloadFor tokenizes,
// a file and in all: tokenizing takes tens of bytes of host memory per byte
// of source. A bigger file runs on the variant when its bytes name a module
// of the preload set.
const (
	maxScannedBytes = 256 << 10
	maxScannedTotal = 1 << 20
)

// preloadFor is wantsPreload for the program of a python3 argv run in the
// sandbox with working directory dir: the code of `python3 -c CODE`, or the
// file of `python3 FILE`, and the modules of its own that it imports from
// where it runs (MOD.py or MOD/__init__.py beside the file, or in dir for
// -c, as sys.path[0] finds them), and those they import in turn. Any other
// argv, or a file that cannot be read, runs on the engine.
func (s *Sandbox) preloadFor(argv []string, dir string, p *validate.Policy) bool {
	if !s.engine.preloadAllowed(p) {
		return false
	}
	mode, target, _, err := scriptTarget(argv)
	if err != nil {
		return false
	}
	src := []byte(target)
	if mode == "file" {
		if !path.IsAbs(target) {
			target = path.Join(dir, target)
		}
		if src, err = s.ReadFile(target); err != nil {
			return false
		}
		dir = path.Dir(target)
	}
	mods := s.engine.preload.mods
	seen := map[string]bool{}
	queue := [][]byte{src}
	budget := maxScannedTotal
	for n := 0; len(queue) > 0 && n < maxScannedModules; n++ {
		src := queue[0]
		if !bytes.Contains(src, []byte("import")) {
			queue = queue[1:]
			continue
		}
		if len(src) > maxScannedBytes || len(src) > budget {
			// Too big to tokenize (the tokenizer holds every token): the
			// variant, a superset of the base interpreter, if the bytes
			// name a module of the set at all.
			for _, m := range mods {
				if bytes.Contains(src, []byte(m)) {
					return true
				}
			}
			queue = queue[1:]
			continue
		}
		budget -= len(src)
		for _, m := range validate.Imports(src) {
			if slices.Contains(mods, m) {
				return true
			}
			if seen[m] {
				continue
			}
			seen[m] = true
			for _, f := range []string{path.Join(dir, m+".py"), path.Join(dir, m, "__init__.py")} {
				if own, err := s.ReadFile(f); err == nil {
					queue = append(queue, own)
					break
				}
			}
		}
		queue = queue[1:]
	}
	return false
}
