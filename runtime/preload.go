package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/wasmbox/wasmbox/validate"
)

// Besides its snapshot, an engine has a second one, taken the first time a
// job needs it: the interpreter with the modules of the preload set
// imported too (numpy, whose import costs far more than a whole run of a
// small program). A job starts from it when a static scan of its code
// (validate.ImportsAny) finds one of those modules imported and its policy
// allows them all; every other job starts from the base snapshot as before,
// and an engine that never sees such code never takes, loads or pools the
// second one. Code that imports the modules in a way the scan cannot see
// (__import__, importlib) runs from the base snapshot and imports them
// itself: the same result, later.
//
// The preloaded snapshot is cached like the base one: in memory, and in
// the cache directory under a name keyed by the same sums plus the preload
// set. Deterministic runs have one per seed, as for the base one (see
// determinism.go). With a pool, the engine keeps a second pool of warm
// instances restored from it, made at its first use, with the same
// settings (its idle timeout lets the instances go).
//
// What a preloaded module could give away is what importing it gives: a
// job starts from the preloaded snapshot only when its policy would let it
// import every module of the set, so the preloaded modules (and what they
// imported) are ones its code could have had anyway. The guard does not
// trust sys.modules: an import is judged by the importer and the name, and
// a module object by its name, loaded before the job or during it (see
// internal/guard).

// preloadModules is the preload set: the top-level modules the second
// snapshot imports.
var preloadModules = []string{"numpy"}

// preloadSet returns the engine's preload set, sorted: override when not
// nil (tests set EngineConfig.preload), else preloadModules.
func preloadSet(override []string) []string {
	mods := preloadModules
	if override != nil {
		mods = override
	}
	return slices.Sorted(slices.Values(mods))
}

// preloadVariant is an engine's preloaded snapshot and its pool. Its
// methods are safe for concurrent use.
type preloadVariant struct {
	mods []string // the preload set, sorted; none: no variant

	mu     sync.Mutex
	snap   *snapshot // nil until first needed
	err    error     // why it could not be had, for good
	pool   *pool     // nil until first needed, or without a pool
	closed bool
	taken  atomic.Int64 // snapshots taken rather than read from the cache
}

// preloadSnapshot returns the preloaded snapshot and its pool (nil without
// one), loading or taking the snapshot on first use. It fails when the
// engine has no snapshot to vary, or when taking it failed; then jobs use
// the base snapshot.
func (e *Engine) preloadSnapshot(ctx context.Context) (*snapshot, *pool, error) {
	v := &e.preload
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.snap == nil && v.err == nil {
		v.snap, v.err = e.loadPreloaded(ctx)
		if v.err != nil {
			slog.Warn("wasmbox: no preloaded snapshot; jobs importing its modules start from the base one", "modules", v.mods, "err", v.err)
		}
	}
	if v.err != nil {
		return nil, nil, v.err
	}
	if v.pool == nil && e.pool != nil && !v.closed {
		v.pool = newPool(e, e.pool.cfg, v.snap)
	}
	return v.snap, v.pool, nil
}

// loadPreloaded reads the preloaded snapshot from the cache directory, or
// takes it and stores it there. Taking it is not cut short by ctx: the job
// that asked first may go, the others wait for the same snapshot.
func (e *Engine) loadPreloaded(ctx context.Context) (*snapshot, error) {
	if e.snap == nil {
		return nil, fmt.Errorf("wasmbox: the interpreter has no snapshot")
	}
	path := e.snapshotPathFor(e.preload.mods)
	if s := readSnapshot(path); s != nil {
		return s, nil
	}
	s, err := e.takeSnapshot(context.WithoutCancel(ctx), newSteppingClock(clockOrigin), e.preload.mods)
	if err != nil {
		return nil, fmt.Errorf("wasmbox: taking the preloaded snapshot: %w", err)
	}
	e.preload.taken.Add(1)
	if path != "" {
		if err := writeChecked(path, s.encode()); err != nil {
			slog.Warn("wasmbox: could not cache the preloaded snapshot", "path", path, "err", err)
		}
	}
	return s, nil
}

// readyCount is how many warm instances of the preloaded snapshot wait for
// a job.
func (v *preloadVariant) readyCount() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.pool.readyCount()
}

// close ends the preloaded pool's instances; none is made after.
func (v *preloadVariant) close() {
	v.mu.Lock()
	p := v.pool
	v.closed = true
	v.mu.Unlock()
	p.close()
}

// startFrom returns the snapshot and pool j starts from: the preloaded
// ones when j asks for them, they can be had and the snapshot fits j's
// memory limit; else the base ones.
func (e *Engine) startFrom(ctx context.Context, j job) (*snapshot, *pool) {
	if j.preload {
		if snap, p, err := e.preloadSnapshot(ctx); err == nil && snap.size <= j.memoryLimit {
			e.stats.preloaded.Add(1)
			return snap, p
		}
	}
	return e.snap, e.pool
}

// wantsPreload reports whether a job running src under policy p (nil: the
// policy none) should start from the preloaded snapshot: src imports a
// module of the preload set, and p allows every module of the set.
func (e *Engine) wantsPreload(src []byte, p *validate.Policy) bool {
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
	return validate.ImportsAny(src, mods)
}

// preloadFor is wantsPreload for the program of a python3 argv run in the
// sandbox with working directory dir: the code of `python3 -c CODE`, or the
// file of `python3 FILE`. Any other argv, or a file that cannot be read,
// starts from the base snapshot.
func (s *Sandbox) preloadFor(argv []string, dir string, p *validate.Policy) bool {
	if len(s.engine.preload.mods) == 0 {
		return false
	}
	mode, target, _, err := scriptTarget(argv)
	switch {
	case err != nil:
		return false
	case mode == "code":
		return s.engine.wantsPreload([]byte(target), p)
	}
	if !path.IsAbs(target) {
		target = path.Join(dir, target)
	}
	src, err := s.ReadFile(target)
	return err == nil && s.engine.wantsPreload(src, p)
}
