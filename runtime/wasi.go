package runtime

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// instantiateWASI adds the WASI host module to r: wazero's implementation,
// with poll_oneoff replaced by pollOneoff, sched_yield by schedYield, and
// the filesystem functions that can meet a cap wrapped by wasiErrnos.
func instantiateWASI(ctx context.Context, r wazero.Runtime) error {
	b := r.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	if err := wrapCapped(ctx, r, b); err != nil {
		return err
	}
	b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(pollOneoff), []api.ValueType{api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}).
		WithParameterNames("in", "out", "nsubscriptions", "result.nevents").
		Export("poll_oneoff")
	b.NewFunctionBuilder().
		WithGoModuleFunction(api.GoModuleFunc(schedYield), nil, []api.ValueType{api.ValueTypeI32}).
		Export("sched_yield")
	_, err := b.Instantiate(ctx)
	return err
}

// cappedFuncs are the WASI functions that can fail at the descriptor cap or
// a filesystem cap.
var cappedFuncs = []string{
	"path_open", "fd_write", "fd_pwrite", "fd_filestat_set_size", "fd_allocate",
	"path_create_directory", "path_symlink", "path_link",
}

// WASI errnos wazero's errno set lacks (wasi_snapshot_preview1 numbering).
const (
	errnoIo    = 29
	errnoMfile = 33
	errnoNospc = 51
)

// wrapCapped re-exports wazero's cappedFuncs in b, wrapped by wasiErrnos.
// wazero's functions are taken from a compiled copy of its host module:
// each one's Go function is available from its definition.
func wrapCapped(ctx context.Context, r wazero.Runtime, b wazero.HostModuleBuilder) error {
	orig := r.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(orig)
	compiled, err := orig.Compile(ctx)
	if err != nil {
		return err
	}
	defer compiled.Close(ctx)
	defs := compiled.ExportedFunctions()
	for _, name := range cappedFuncs {
		def, ok := defs[name]
		if !ok {
			return fmt.Errorf("wasmbox: wazero's WASI has no %s", name)
		}
		fn, ok := def.GoFunction().(api.GoModuleFunction)
		if !ok {
			return fmt.Errorf("wasmbox: wazero's WASI %s is not a Go module function", name)
		}
		b.NewFunctionBuilder().
			WithGoModuleFunction(wasiErrnos(fn, name == "path_open"), def.ParamTypes(), def.ResultTypes()).
			WithParameterNames(def.ParamNames()...).
			WithResultNames(def.ResultNames()...).
			Export(name)
	}
	return nil
}

// wasiErrnos calls fn and, when it failed with EIO because the instance
// met a filesystem cap (instanceState notes it), gives the guest ENOSPC
// instead. For path_open (opens), it first keeps the instance's descriptor
// cap: at the cap, the guest gets EMFILE and nothing is opened.
func wasiErrnos(fn api.GoModuleFunction, opens bool) api.GoModuleFunction {
	return api.GoModuleFunc(func(ctx context.Context, mod api.Module, stack []uint64) {
		st := instanceOf(ctx)
		if st == nil {
			fn.Call(ctx, mod, stack)
			return
		}
		st.outOfFS.Store(false)
		if opens && st.atCap() {
			stack[0] = errnoMfile
			return
		}
		fn.Call(ctx, mod, stack)
		if stack[0] == errnoIo && st.outOfFS.Load() {
			stack[0] = errnoNospc
		}
	})
}

// errStopped ends a guest that reaches a preemption point after its
// context ended.
var errStopped = errors.New("wasmbox: the guest was stopped")

// schedYield is WASI's sched_yield, which a reactor build with preemption
// points (wasmbin.AddPreemption) also calls every PreemptInterval loop
// iterations. Being Go, the call lets the Go scheduler stop the goroutine
// (wazero's compiled code cannot be preempted); past the call's context it
// ends the guest. Each call counts toward the guest's MemoryAftermath.
func schedYield(ctx context.Context, _ api.Module, stack []uint64) {
	if ctx.Err() != nil {
		panic(errStopped)
	}
	if a := memoryWatchOf(ctx); a != nil {
		a.yielded()
	}
	stack[0] = errnoSuccess
}

// WASI constants used by pollOneoff (wasi_snapshot_preview1).
const (
	clockRealtime  = 0
	clockMonotonic = 1

	eventTypeClock   = 0
	eventTypeFdRead  = 1
	eventTypeFdWrite = 2

	subscriptionClockAbstime = 1

	errnoSuccess = 0
	errnoFault   = 21
	errnoInval   = 28

	subscriptionSize = 48
	eventSize        = 32
)

// pollOneoff implements WASI poll_oneoff. Unlike wazero's, it accepts
// absolute clock deadlines, which CPython's time.sleep uses, and every wait
// ends when the execution's context is done, so a sleeping guest stops at its
// timeout. File descriptors are always ready: stdin is an in-memory or
// context-aware reader, and the rest are memory files or output buffers.
func pollOneoff(ctx context.Context, mod api.Module, stack []uint64) {
	in, out, nsubs, resultNevents := uint32(stack[0]), uint32(stack[1]), uint32(stack[2]), uint32(stack[3])
	stack[0] = pollOneoffErrno(ctx, mod.Memory(), in, out, nsubs, resultNevents)
}

func pollOneoffErrno(ctx context.Context, mem api.Memory, in, out, nsubs, resultNevents uint32) uint64 {
	if nsubs == 0 {
		return errnoInval
	}
	subs, ok := mem.Read(in, nsubs*subscriptionSize)
	if !ok {
		return errnoFault
	}
	events, ok := mem.Read(out, nsubs*eventSize)
	if !ok {
		return errnoFault
	}
	// Copy the subscriptions: events may overlap them in guest memory.
	subs = append([]byte(nil), subs...)
	clear(events)

	var wait time.Duration = -1
	var clocks []uint32 // subscriptions that are clock events
	nevents := uint32(0)
	for i := uint32(0); i < nsubs; i++ {
		sub := subs[i*subscriptionSize:]
		switch sub[8] {
		case eventTypeClock:
			d, errno := clockWait(ctx, sub[16:])
			if errno != errnoSuccess {
				return errno
			}
			if wait < 0 || d < wait {
				wait = d
			}
			clocks = append(clocks, i)
		case eventTypeFdRead, eventTypeFdWrite:
			writeEvent(events[nevents*eventSize:], sub, errnoSuccess)
			nevents++
		default:
			return errnoInval
		}
	}
	if nevents == 0 {
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		for _, i := range clocks {
			writeEvent(events[nevents*eventSize:], subs[i*subscriptionSize:], errnoSuccess)
			nevents++
		}
	}
	if !mem.WriteUint32Le(resultNevents, nevents) {
		return errnoFault
	}
	return errnoSuccess
}

// clockWait returns how long a clock subscription asks to wait. The
// monotonic clock is the instance's own (see clock.go), which wasmbox
// supplies so that absolute deadlines can be turned into waits.
func clockWait(ctx context.Context, clock []byte) (time.Duration, uint64) {
	id := binary.LittleEndian.Uint32(clock[0:])
	timeout := int64(binary.LittleEndian.Uint64(clock[8:]))
	flags := binary.LittleEndian.Uint16(clock[24:])
	if flags&subscriptionClockAbstime == 0 {
		return time.Duration(timeout), errnoSuccess
	}
	switch id {
	case clockRealtime:
		return time.Duration(timeout - time.Now().UnixNano()), errnoSuccess
	case clockMonotonic:
		return time.Duration(timeout - clockOf(ctx).nanotime()), errnoSuccess
	}
	return 0, errnoInval
}

// writeEvent writes the event answering subscription sub.
func writeEvent(event, sub []byte, errno uint16) {
	copy(event[0:8], sub[0:8]) // userdata
	binary.LittleEndian.PutUint16(event[8:], errno)
	event[10] = sub[8] // type
}
