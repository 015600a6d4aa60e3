package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	goruntime "runtime"
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// contextBase is the memory every context starts from: a fresh instance
// with the snapshot written over it. Saved contexts hold what differs from
// it, and name it by its SHA-256: the snapshot differs from one machine or
// cache directory to the next (its string-hash seed is random), and a diff
// over another base would be garbage.
type contextBase struct {
	once  sync.Once
	image []byte
	sum   string
	err   error
	cow   *baseMapping // the image in a memfd, mapped copy-on-write; nil where that cannot be
}

// base returns the engine's contextBase, made at the first call.
func (e *Engine) base(ctx context.Context) (*contextBase, error) {
	b := &e.ctxBase
	b.once.Do(func() {
		mcfg := e.moduleConfig([]string{"python3"}, nil, newGuestClock(e.snap.clock)).WithFSConfig(e.fsConfig(newMemFS(0, 0))).WithStartFunctions()
		mod, err := e.rt.InstantiateModule(experimental.WithMemoryAllocator(context.WithoutCancel(ctx), newAllocator(MaxMemoryLimit)), e.module, mcfg)
		if err != nil {
			b.err = fmt.Errorf("wasmbox: instantiating the base of saved contexts: %w", err)
			return
		}
		defer mod.Close(context.Background())
		if b.err = e.snap.restore(mod.Memory()); b.err != nil {
			return
		}
		mem, _ := mod.Memory().Read(0, mod.Memory().Size())
		sum := sha256.Sum256(mem)
		b.sum = hex.EncodeToString(sum[:])
		if cow, err := newBaseMapping(mem); err == nil {
			b.cow, b.image = cow, cow.view
			goruntime.AddCleanup(e, (*baseMapping).close, cow)
		} else {
			b.image = bytes.Clone(mem) // each context's memory gets a copy
		}
	})
	return b, b.err
}

// restoreBase makes the instance's memory the context base: mapped
// copy-on-write where it can be, else written.
func (ci *contextInstance) restoreBase(ctx context.Context) error {
	base, err := ci.engine.base(ctx)
	if err != nil {
		return err
	}
	mem := ci.mod.Memory()
	if cur := uint64(mem.Size()); cur < uint64(len(base.image)) {
		if _, ok := mem.Grow(uint32((uint64(len(base.image)) - cur) / pageSize)); !ok {
			return errSnapshotMemory
		}
	}
	if base.cow != nil && ci.mem != nil && ci.mem.buf != nil {
		return base.cow.mapOver(ci.mem.buf)
	}
	buf, _ := mem.Read(0, uint32(len(base.image)))
	copy(buf, base.image)
	return nil
}
