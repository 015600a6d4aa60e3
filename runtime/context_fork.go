package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// A context is forked or saved only between cells, when its instance has
// returned from the run entry: the wasm stack is unwound (checked after
// every call: see contextInstance.callEntry), so linear memory, the open
// files and the filesystem are the whole of its state. What survives:
//
//   - every byte of linear memory: globals, imports, objects;
//   - the filesystem: a fork gets its own copy, a resume writes the saved
//     files into its sandbox (replacing files at the same paths);
//   - open files, at the same descriptor numbers, with their offsets and
//     modes, also files unlinked while open; an open directory is opened
//     again by its path, so a listing in progress starts over;
//   - the execution count and the context's options, its policy among
//     them: the guard armed with it lives in the copied memory, so the
//     copy is guarded as the context was.
//
// What does not: descriptors 0 to 4 (stdio and the two mounts' preopens)
// are the new instance's own, so a file the guest opened in place of a
// preopen it closed is not carried; the idle timer restarts; and a resumed
// context's options are bounded by its new sandbox's limits. Memory is copied as the chunks
// that differ from the context base (see context_base.go), which on Linux
// the new memory maps copy-on-write.

// Fork makes a new context with the same state as c: a copy of its memory,
// of its sandbox's files (the fork's Sandbox is its own, destroyed when the
// fork closes or is lost) and of its open files. The two then diverge.
func (c *Context) Fork(ctx context.Context) (*Context, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst == nil {
		return nil, c.ended
	}
	ctx, stop := c.stoppable(ctx)
	defer stop(nil)
	files, err := c.census(ctx)
	if err != nil {
		return nil, err
	}
	root := c.sandbox.fs
	root.mu.Lock()
	var held []*node
	for _, f := range files {
		if f.mem != nil {
			held = append(held, f.mem.n)
		}
	}
	clone, nodes := cloneMemFS(root, held)
	root.mu.Unlock()
	for i, f := range files {
		if f.mem != nil {
			m := *f.mem
			m.fs, m.n = clone, nodes[f.mem.n]
			m.n.open++
			files[i].mem = &m
		}
	}
	sb := &Sandbox{engine: c.engine, cfg: c.sandbox.cfg, fs: clone}
	inst, err := c.engine.newContextInstance(ctx, clone, sb.cfg.Packages, c.opts.MemoryLimit)
	if err != nil {
		return nil, err
	}
	if err := inst.copyFrom(ctx, c.inst); err != nil {
		inst.close()
		return nil, err
	}
	if err := inst.reopen(ctx, files, hostCallTimeout); err != nil {
		inst.close()
		return nil, err
	}
	fork := &Context{engine: c.engine, sandbox: sb, owns: true, opts: c.opts, count: c.count}
	fork.start(inst)
	return fork, nil
}

// census lists c's open files with their descriptors. A failed call ends
// the context (its instance is in no known state). The caller holds c.mu.
func (c *Context) census(ctx context.Context) ([]openFile, error) {
	files, err := c.inst.census(ctx, hostCallTimeout)
	var callErr *callError
	if errors.As(err, &callErr) {
		c.lose(fmt.Errorf("listing its open files failed: %w", callErr.err))
	}
	return files, err
}

// callError is a failed call into the guest, as opposed to an answer the
// host cannot use.
type callError struct{ err error }

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// census asks the guest for its open descriptors and pairs each with the
// file it refers to.
func (ci *contextInstance) census(ctx context.Context, timeout time.Duration) ([]openFile, error) {
	peak := 0
	for _, t := range ci.mounts {
		t.mu.Lock()
		peak += t.peak
		t.mu.Unlock()
	}
	ci.ctl.mu.Lock()
	ci.ctl.census, ci.ctl.statLog = censusArmed, nil
	ci.ctl.mu.Unlock()
	answer, err := ci.call(ctx, map[string]any{"op": "census", "from": firstFileFd, "to": firstFileFd + peak + 2}, timeout)
	ci.ctl.mu.Lock()
	log := ci.ctl.statLog
	ci.ctl.census, ci.ctl.statLog = censusOff, nil
	ci.ctl.mu.Unlock()
	if err != nil {
		return nil, &callError{err}
	}
	var out struct{ Fds []int32 }
	if err := json.Unmarshal(answer, &out); err != nil || len(out.Fds) != len(log) {
		return nil, fmt.Errorf("wasmbox: could not pair the context's %d open descriptors with its files", len(out.Fds))
	}
	files := make([]openFile, len(log))
	for i, tf := range log {
		f := openFile{fd: out.Fds[i], path: tf.path}
		if tf.t == ci.mounts[1] {
			f.mount = 1
		}
		f.dir, _ = tf.File.IsDir()
		switch m, ok := tf.File.(*memFile); {
		case ok:
			f.mem = m
		case !f.dir:
			f.off, _ = tf.File.Seek(0, io.SeekCurrent)
		}
		files[i] = f
	}
	return files, nil
}

// reopen gives the instance files, each at its descriptor.
func (ci *contextInstance) reopen(ctx context.Context, files []openFile, timeout time.Duration) error {
	if len(files) == 0 {
		return nil
	}
	type reopened struct {
		Fd   int32  `json:"fd"`
		Path string `json:"path"`
	}
	req := make([]reopened, len(files))
	for i := range files {
		f := &files[i]
		p := f.path
		if !f.dir {
			p = reopenDir + "/" + strconv.Itoa(i)
			t := ci.mounts[f.mount]
			t.mu.Lock()
			if t.prepared == nil {
				t.prepared = map[string]*openFile{}
			}
			t.prepared[p] = f
			t.mu.Unlock()
		}
		mount := "/"
		if f.mount == 1 {
			mount = stdlibMount
		}
		req[i] = reopened{f.fd, path.Join(mount, p)}
	}
	var stderr strings.Builder
	ci.stderr.set(&stderr)
	_, err := ci.call(ctx, map[string]any{"op": "reopen", "first": firstFileFd, "files": req}, timeout)
	ci.stderr.set(io.Discard)
	for _, t := range ci.mounts {
		t.mu.Lock()
		t.prepared = nil
		t.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("wasmbox: opening the context's files again: %w: %s", err, stderr.String())
	}
	return nil
}

// copyFrom makes the instance's memory a copy of from's: the context base,
// then the chunks of from that differ from it.
func (ci *contextInstance) copyFrom(ctx context.Context, from *contextInstance) error {
	if err := ci.restoreBase(ctx); err != nil {
		return err
	}
	base, _ := ci.engine.base(ctx)
	src, _ := from.mod.Memory().Read(0, from.mod.Memory().Size())
	mem := ci.mod.Memory()
	if cur := mem.Size(); uint64(cur) < uint64(len(src)) {
		if _, ok := mem.Grow((uint32(len(src)) - cur) / pageSize); !ok {
			return errSnapshotMemory
		}
	}
	dst, _ := mem.Read(0, mem.Size())
	zero := make([]byte, snapshotChunk)
	for off := 0; off < len(src); off += snapshotChunk {
		was := zero
		if off < len(base.image) {
			was = base.image[off : off+snapshotChunk]
		}
		if chunk := src[off : off+snapshotChunk]; !bytes.Equal(chunk, was) {
			copy(dst[off:], chunk)
		}
	}
	return nil
}
