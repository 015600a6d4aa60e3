package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// logWriter keeps the guest's writes as entries, up to max bytes, and
// copies what it keeps to live.
type logWriter struct {
	mu      sync.Mutex
	chunks  []string
	size    int64
	max     int64
	dropped bool
	live    io.Writer
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	keep := p[:min(int64(len(p)), max(l.max-l.size, 0))]
	if len(keep) < len(p) {
		l.dropped = true
	}
	if len(keep) > 0 {
		l.chunks = append(l.chunks, string(keep))
		l.size += int64(len(keep))
		if l.live != nil {
			_, _ = l.live.Write(keep) // a client gone away must not fail the guest
		}
	}
	return len(p), nil
}

func (l *logWriter) entries() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.chunks == nil {
		return []string{}
	}
	return l.chunks
}

// contextInstance is a context's live interpreter and what it is plugged
// into.
type contextInstance struct {
	engine *Engine
	mod    api.Module
	alloc  *limitedAllocator
	mem    *mmapMemory // the linear memory alloc gave
	stdin  requestReader
	stdout switchWriter
	stderr switchWriter
	ctl    *contextControl
	mounts [2]*trackingFS // "/" and the standard library
	sp     uint64         // __stack_pointer at rest
	clock  *guestClock
	closed bool

	callMu  sync.Mutex
	endCall context.CancelCauseFunc // stops the call under way; the memory watch's stop
}

// newContextInstance instantiates the interpreter over root and pkgs (nil
// for none), without running anything: its memory is the caller's to fill.
func (e *Engine) newContextInstance(ctx context.Context, root *memFS, pkgs *Packages, limit uint64) (*contextInstance, error) {
	if e.snap == nil {
		return nil, ErrContextsUnsupported
	}
	if !e.contexts.acquire() {
		return nil, fmt.Errorf("wasmbox: %w: the cap is %d", ErrTooManyContexts, e.contexts.max)
	}
	// The guest's clock starts where the snapshot's stopped (see clock.go).
	ci := &contextInstance{engine: e, alloc: newAllocator(limit), ctl: &contextControl{}, clock: newGuestClock(e.snap.clock)}
	ci.alloc.stop = ci.stopCall
	rec := &recordingAllocator{limitedAllocator: ci.alloc}
	ci.stdout.set(io.Discard)
	ci.stderr.set(io.Discard)
	dev := devices{random: ci.clock.randomSource(), stdin: &ci.stdin, stdout: &ci.stdout, stderr: &ci.stderr}
	ci.mounts[0] = newTrackingFS(rootFS(root, pkgs, dev), ci.ctl, true)
	ci.mounts[1] = newTrackingFS(e.stdlibFS(), ci.ctl, false)
	mcfg := e.moduleConfig([]string{"python3"}, nil, ci.clock).
		WithStdin(&ci.stdin).
		WithStdout(&ci.stdout).
		WithStderr(&ci.stderr).
		WithFSConfig(e.mountConfig(ci.mounts[0], ci.mounts[1])).
		WithStartFunctions()
	e.stats.started.Add(1)
	mod, err := e.rt.InstantiateModule(experimental.WithMemoryAllocator(context.WithoutCancel(ctx), rec), e.module, mcfg)
	if err != nil {
		e.stats.ended.Add(1)
		e.contexts.release()
		return nil, fmt.Errorf("wasmbox: instantiating a context's interpreter: %w", err)
	}
	ci.mod, ci.mem = mod, rec.mem
	if g := mod.ExportedGlobal(stackPointer); g != nil {
		ci.sp = g.Get()
	}
	return ci, nil
}

// stackPointer is the one mutable global C code uses; see snapshot.go.
const stackPointer = "__stack_pointer"

// hostCallTimeout bounds the calls into the guest that the host makes for
// itself (a context's set-up, the census and reopen of its files), which
// the runs' timeout does not cover.
const hostCallTimeout = time.Minute

// firstFileFd is the first descriptor of a file the guest opens: after
// stdin, stdout, stderr and the two mounts' preopens.
const firstFileFd = 5

// call sends req to the cell runner and waits, at most timeout, for its
// answer.
func (ci *contextInstance) call(ctx context.Context, req any, timeout time.Duration) ([]byte, error) {
	ci.ctl.reset()
	if err := ci.callEntry(ctx, req, timeout); err != nil {
		return nil, err
	}
	ci.ctl.mu.Lock()
	defer ci.ctl.mu.Unlock()
	switch {
	case ci.ctl.over:
		return nil, fmt.Errorf("the cell's answer passed %d MiB", maxAnswer>>20)
	case ci.ctl.answer.Len() == 0:
		return nil, errors.New("the cell runner gave no answer")
	}
	return ci.ctl.answer.Bytes(), nil
}

// callEntry writes req as one JSON line to the guest's stdin and calls the
// run entry.
func (ci *contextInstance) callEntry(ctx context.Context, req any, timeout time.Duration) error {
	line, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ci.stdin.set(append(line, '\n'))
	defer ci.stdin.set(nil)
	ctx, cancel := context.WithTimeout(withMemoryWatch(withClock(ctx, ci.clock), ci.alloc), timeout)
	defer cancel()
	ctx, endCall := context.WithCancelCause(ctx)
	ci.callMu.Lock()
	ci.endCall = endCall
	ci.callMu.Unlock()
	defer func() {
		ci.callMu.Lock()
		ci.endCall = nil
		ci.callMu.Unlock()
		endCall(nil)
		ci.alloc.disarm() // the end of a call is a job boundary
	}()
	err = callEntry(ctx, ci.mod, entryRun)
	if errors.Is(context.Cause(ctx), errMemoryKilled) {
		return fmt.Errorf("%w (%v)", errMemoryKilled, err)
	}
	if err != nil && !ci.mod.IsClosed() && ctx.Err() == nil {
		// The entry returned a failure status: __wasmbox_run__ raised.
		return fmt.Errorf("the cell runner failed (a cell removed or broke what it needs; its traceback is on stderr): %w", err)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // stopped in a sleep or read, and returned cleanly
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
		}
		return err
	}
	if g := ci.mod.ExportedGlobal(stackPointer); g != nil && g.Get() != ci.sp {
		return fmt.Errorf("global %s is %#x after a cell, %#x at rest: the wasm stack was not unwound", stackPointer, g.Get(), ci.sp)
	}
	return nil
}

// stopCall stops the call under way, if any, as one that kept failing to
// grow its memory (see MemoryAftermath).
func (ci *contextInstance) stopCall() {
	ci.callMu.Lock()
	defer ci.callMu.Unlock()
	if ci.endCall != nil {
		ci.endCall(errMemoryKilled)
	}
}

// close ends the instance and frees its memory.
func (ci *contextInstance) close() {
	if ci.closed {
		return
	}
	ci.closed = true
	ci.mod.Close(context.Background())
	ci.engine.stats.ended.Add(1)
	ci.engine.contexts.release()
}

// requestReader is a context's stdin: the pending request, then end of
// file. It never blocks: the request is set before each call.
type requestReader struct {
	mu  sync.Mutex
	buf []byte
}

func (r *requestReader) set(b []byte) {
	r.mu.Lock()
	r.buf = b
	r.mu.Unlock()
}

func (r *requestReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// contextCount caps an engine's live context instances.
type contextCount struct {
	mu   sync.Mutex
	live int
	max  int
}

func (n *contextCount) acquire() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.live >= n.max {
		return false
	}
	n.live++
	return true
}

func (n *contextCount) release() {
	n.mu.Lock()
	n.live--
	n.mu.Unlock()
}

// recordingAllocator is a limitedAllocator that keeps the memory it gives,
// for restoreBase to map the base over.
type recordingAllocator struct {
	*limitedAllocator
	mem *mmapMemory
}

// Allocate implements experimental.MemoryAllocator.
func (r *recordingAllocator) Allocate(capacity, maxBytes uint64) experimental.LinearMemory {
	m := r.limitedAllocator.Allocate(capacity, maxBytes)
	r.mem, _ = m.(*mmapMemory)
	return m
}
