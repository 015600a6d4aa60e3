package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/wasmbox/wasmbox/internal/guard"
)

// A reactor build is started once per snapshot, not once per run: its
// _initialize and wasmbox_init entries bring the interpreter up and run
// warm.py, which imports what jobs use and compiles the guard, then return.
// What that leaves in linear memory is the snapshot. Every later instance is
// instantiated without _initialize, gets the snapshot written over its
// fresh memory, and has its wasmbox_run entry called: warm.py's job loop,
// which takes the job from stdin as in any warm instance.
//
// Only linear memory is captured. The rest of an instance's state is the
// same in every instance by construction: the stack pointer, the one
// mutable global C code uses, is back where it started when the entry
// returns (checked: the module exports it); the preemption budget's value
// does not matter; the table is never written; and the WASI side (fds 0-2
// and the preopens, in the order fsConfig mounts them) is made anew for
// each instance. Nothing else is open after init: zipimport reopens the zip
// for each read.
//
// The guest's monotonic clock steps instead of running while the snapshot is
// taken, and the snapshot keeps its last reading, where every restored
// instance's clock starts (see clock.go).
//
// What the snapshot freezes that must not be shared is reset by warm.py in
// each run: the random module's state. The string-hash seed cannot be: it
// is fixed per snapshot (one per machine and cache directory). Deterministic
// runs start from a snapshot of their seed's instead (determinism.go).

// snapshotFormat names the file format and what goes into a snapshot; it is
// part of the cache key.
const snapshotFormat = "wasmbox-snapshot-2\n"

// snapshotTimeout bounds taking the snapshot.
const snapshotTimeout = 2 * time.Minute

// snapshot is linear memory after init, as the runs of 4 KiB chunks that
// differ from a fresh instance's memory.
type snapshot struct {
	size  uint64 // bytes
	clock int64  // the guest's monotonic clock when it was taken, in ns
	runs  []memRun
}

type memRun struct {
	off  uint64
	data []byte
}

// snapshotChunk is the granularity of the comparison with fresh memory.
const snapshotChunk = 4096

// snapshotPath is where the engine's snapshot is cached: a name keyed by
// everything that goes into it, in the cache directory; "" without one.
func (e *Engine) snapshotPath() string { return snapshotFile(e.cacheDir, e.interp, e.warmArgs) }

// snapshotFile is snapshotPath for an engine with cache directory dir,
// interpreter in and warm.py arguments warmArgs (a preloaded variant's:
// see preload.go).
func snapshotFile(dir string, in interpreter, warmArgs []string) string {
	if dir == "" {
		return ""
	}
	key := snapshotFormat + in.sum + "\x00" + in.stdlibSum + "\x00" + warmSource + "\x00" + guard.BootSource()
	name := "snapshot-"
	if len(warmArgs) > 0 {
		key, name = key+"\x00"+strings.Join(warmArgs, "\x00"), "snapshot-preload-"
	}
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(dir, name+hex.EncodeToString(sum[:8])+".mem")
}

// readSnapshot reads a cached snapshot from path; nil when there is none, or
// it fails its checksum or does not decode.
func readSnapshot(path string) *snapshot {
	if path == "" {
		return nil
	}
	data, ok := readChecked(path)
	if !ok {
		return nil
	}
	s, err := decodeSnapshot(data)
	if err != nil {
		return nil
	}
	return s
}

// loadSnapshot returns cached (what readSnapshot found), or else takes the
// engine's snapshot and stores it in the cache directory.
func (e *Engine) loadSnapshot(ctx context.Context, cached *snapshot) (*snapshot, error) {
	if cached != nil {
		return cached, nil
	}
	s, err := e.takeSnapshot(ctx, newSteppingClock(clockOrigin))
	if err != nil {
		return nil, fmt.Errorf("wasmbox: taking the interpreter's snapshot: %w", err)
	}
	if path := e.snapshotPath(); path != "" {
		if err := writeChecked(path, s.encode()); err != nil {
			slog.Warn("wasmbox: could not cache the interpreter's snapshot", "path", path, "err", err)
		}
	}
	return s, nil
}

// takeSnapshot initialises one instance (a preloaded variant's with its
// sys.path entries and modules: see preload.go) and compares its memory
// with a fresh one's.
// clk is the guest's clock (which also gives its randomness when virtual).
func (e *Engine) takeSnapshot(ctx context.Context, clk *guestClock) (*snapshot, error) {
	ctx, cancel := context.WithTimeout(withClock(ctx, clk), snapshotTimeout)
	defer cancel()
	var out bytes.Buffer
	argv := append([]string{"python3", "-c", warmSource, guard.BootSource(), "snapshot"}, e.warmArgs...)
	mcfg := e.moduleConfig(argv, nil, clk).
		WithStdin(bytes.NewReader(nil)).
		WithStdout(&out).
		WithStderr(&out).
		WithFSConfig(e.fsConfig(newMemFS(0, 0)))
	instantiate := func(start ...string) (api.Module, error) {
		return e.rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, newAllocator(MaxMemoryLimit)), e.module, mcfg.WithStartFunctions(start...))
	}
	fresh, err := instantiate()
	if err != nil {
		return nil, err
	}
	defer fresh.Close(context.Background())
	inited, err := instantiate("_initialize")
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, out.String())
	}
	defer inited.Close(context.Background())
	if err := callEntry(ctx, inited, entryInit); err != nil {
		return nil, fmt.Errorf("%s: %w: %s", entryInit, err, out.String())
	}
	if err := sameGlobals(fresh, inited); err != nil {
		return nil, err
	}
	e.snapshotsTaken.Add(1)
	s := diffMemory(fresh.Memory(), inited.Memory())
	s.clock = clk.nanotime()
	return s, nil
}

// sameGlobals checks that init left the stack pointer, when the module
// exports it, as a fresh instance has it: only memory is captured, so the
// stack must be unwound when the init entry returns.
func sameGlobals(fresh, inited api.Module) error {
	const name = "__stack_pointer"
	a, b := fresh.ExportedGlobal(name), inited.ExportedGlobal(name)
	if a == nil || b == nil {
		return nil
	}
	if a.Get() != b.Get() {
		return fmt.Errorf("global %s is %#x after init, %#x in a fresh instance: it cannot be snapshotted", name, b.Get(), a.Get())
	}
	return nil
}

// diffMemory returns inited's memory as the chunks that differ from fresh's.
// Both sizes are whole wasm pages, so chunks never straddle fresh's end.
func diffMemory(fresh, inited api.Memory) *snapshot {
	a, _ := fresh.Read(0, fresh.Size())
	b, _ := inited.Read(0, inited.Size())
	return diffImage(a, b)
}

// diffImage returns b as the chunks that differ from a (zero past a's end).
// Both lengths are whole wasm pages.
func diffImage(a, b []byte) *snapshot {
	s := &snapshot{size: uint64(len(b))}
	zero := make([]byte, snapshotChunk)
	for off := 0; off < len(b); off += snapshotChunk {
		chunk := b[off : off+snapshotChunk]
		was := zero
		if off < len(a) {
			was = a[off : off+snapshotChunk]
		}
		if bytes.Equal(chunk, was) {
			continue
		}
		if n := len(s.runs); n > 0 && s.runs[n-1].off+uint64(len(s.runs[n-1].data)) == uint64(off) {
			s.runs[n-1].data = append(s.runs[n-1].data, chunk...)
		} else {
			s.runs = append(s.runs, memRun{off: uint64(off), data: bytes.Clone(chunk)})
		}
	}
	return s
}

// errSnapshotMemory: the memory limit is below the snapshot's size.
var errSnapshotMemory = errors.New("wasmbox: the memory limit is below the interpreter snapshot's size")

// restore writes the snapshot over a fresh instance's memory.
func (s *snapshot) restore(mem api.Memory) error {
	if cur := uint64(mem.Size()); cur < s.size {
		if _, ok := mem.Grow(uint32((s.size - cur) / pageSize)); !ok {
			return errSnapshotMemory
		}
	}
	for _, r := range s.runs {
		if !mem.Write(uint32(r.off), r.data) {
			return fmt.Errorf("wasmbox: snapshot run at %#x (%d bytes) is out of the instance's memory", r.off, len(r.data))
		}
	}
	return nil
}

// snapshotHeader is the size of what follows the format line: size, clock
// and run count.
const snapshotHeader = 20

// encode serialises s: the format line, the size, the clock, the run count,
// then each run's offset, length and bytes, little-endian.
func (s *snapshot) encode() []byte {
	n := len(snapshotFormat) + snapshotHeader
	for _, r := range s.runs {
		n += 12 + len(r.data)
	}
	b := make([]byte, 0, n)
	b = append(b, snapshotFormat...)
	b = binary.LittleEndian.AppendUint64(b, s.size)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.clock))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.runs)))
	for _, r := range s.runs {
		b = binary.LittleEndian.AppendUint64(b, r.off)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r.data)))
		b = append(b, r.data...)
	}
	return b
}

// decodeSnapshot parses what encode wrote, checking every run lies within
// the size.
func decodeSnapshot(b []byte) (*snapshot, error) {
	bad := errors.New("wasmbox: malformed snapshot file")
	if !bytes.HasPrefix(b, []byte(snapshotFormat)) || len(b) < len(snapshotFormat)+snapshotHeader {
		return nil, bad
	}
	b = b[len(snapshotFormat):]
	s := &snapshot{size: binary.LittleEndian.Uint64(b), clock: int64(binary.LittleEndian.Uint64(b[8:]))}
	count := binary.LittleEndian.Uint32(b[16:])
	b = b[snapshotHeader:]
	if s.size > MaxMemoryLimit || s.size%pageSize != 0 {
		return nil, bad
	}
	for range count {
		if len(b) < 12 {
			return nil, bad
		}
		off, n := binary.LittleEndian.Uint64(b), uint64(binary.LittleEndian.Uint32(b[8:]))
		b = b[12:]
		if uint64(len(b)) < n || off+n > s.size {
			return nil, bad
		}
		s.runs = append(s.runs, memRun{off: off, data: b[:n:n]})
		b = b[n:]
	}
	if len(b) != 0 {
		return nil, bad
	}
	return s, nil
}
