package wasmbin

import (
	"errors"
	"fmt"
)

// BudgetGlobal is the name under which AddPreemption exports its counter.
const BudgetGlobal = "wasmbox_budget"

// PreemptInterval is how many loop iterations run between two calls of the
// yield function.
const PreemptInterval = 1 << 16

// The function AddPreemption calls: WASI's sched_yield, () -> errno, which
// every CPython build imports.
const (
	yieldModule = "wasi_snapshot_preview1"
	yieldName   = "sched_yield"
)

// AddPreemption returns a copy of the module in wasm with a new mutable i32
// global, the budget, exported as BudgetGlobal, and this at the top of every
// loop:
//
//	global.get $budget
//	i32.eqz
//	if
//	  i32.const PreemptInterval
//	  global.set $budget
//	  call $sched_yield
//	  drop
//	end
//	global.get $budget
//	i32.const 1
//	i32.sub
//	global.set $budget
//
// So every PreemptInterval loop iterations, wherever the guest spins (the
// bytecode loop or a long C loop), it calls into the host. That call is
// where a host stops a guest past its deadline (its sched_yield returns an
// error there), and where the Go runtime can stop the goroutine for a
// garbage collection: wazero's compiled code cannot be preempted, so a
// guest that never calls out would hold up every other goroutine at the
// next stop-the-world, and with them the timer meant to stop it.
//
// This replaces wazero's WithCloseOnContextDone, which calls into Go at
// every loop iteration and made CPython's bytecode loop several times
// slower.
//
// The module must import sched_yield. It may use the MVP instruction set,
// sign extension, saturating conversions, bulk memory, reference types and
// tail calls; a SIMD or otherwise unknown instruction is an error.
func AddPreemption(wasm []byte) ([]byte, error) {
	sections, err := readSections(wasm)
	if err != nil {
		return nil, err
	}
	imports, err := readImports(sections)
	if err != nil {
		return nil, err
	}
	if imports.yield < 0 {
		return nil, fmt.Errorf("the module does not import %s.%s", yieldModule, yieldName)
	}
	var budget uint64
	var haveGlobals, haveExports, haveCode bool
	for i, s := range sections {
		switch s.id {
		case sectionGlobal:
			haveGlobals = true
			n, m, err := uleb128(s.body)
			if err != nil {
				return nil, fmt.Errorf("global section: %w", err)
			}
			budget = imports.globals + n
			body := appendULEB128(nil, n+1)
			body = append(body, s.body[m:]...)
			// i32, mutable, initialised to PreemptInterval.
			body = append(body, 0x7f, 0x01, 0x41)
			body = appendSLEB128(body, PreemptInterval)
			body = append(body, 0x0b)
			sections[i] = section{id: s.id, body: body}
		case sectionExport:
			haveExports = true
			n, m, err := uleb128(s.body)
			if err != nil {
				return nil, fmt.Errorf("export section: %w", err)
			}
			body := appendULEB128(nil, n+1)
			body = append(body, s.body[m:]...)
			body = appendULEB128(body, uint64(len(BudgetGlobal)))
			body = append(body, BudgetGlobal...)
			body = append(body, ExportGlobal)
			body = appendULEB128(body, budget)
			sections[i] = section{id: s.id, body: body}
		case sectionCode:
			haveCode = true
			body, err := instrumentCode(s.body, preemptCheck(budget, uint64(imports.yield)))
			if err != nil {
				return nil, fmt.Errorf("code section: %w", err)
			}
			sections[i] = section{id: s.id, body: body}
		}
	}
	if !haveGlobals || !haveExports || !haveCode {
		return nil, errors.New("the module needs a global, an export and a code section (a module without them is not a CPython build)")
	}
	return writeSections(sections), nil
}

// preemptCheck is the code AddPreemption puts at the top of every loop.
func preemptCheck(budget, yield uint64) []byte {
	b := appendULEB128([]byte{0x23}, budget) // global.get $budget
	b = append(b, 0x45, 0x04, 0x40, 0x41)    // i32.eqz; if; i32.const
	b = appendSLEB128(b, PreemptInterval)
	b = appendULEB128(append(b, 0x24), budget) // global.set $budget
	b = appendULEB128(append(b, 0x10), yield)  // call $sched_yield
	b = append(b, 0x1a, 0x0b)                  // drop; end
	b = appendULEB128(append(b, 0x23), budget) // global.get $budget
	b = append(b, 0x41, 0x01, 0x6b)            // i32.const 1; i32.sub
	return appendULEB128(append(b, 0x24), budget)
}

// Export kinds, as Exports reports them.
const (
	ExportFunc   = 0x00
	ExportGlobal = 0x03
)

// Exports returns the names the module in wasm exports, with their kinds
// (ExportFunc, ExportGlobal, ...). A malformed module has none.
func Exports(wasm []byte) map[string]byte {
	sections, err := readSections(wasm)
	if err != nil {
		return nil
	}
	exports := map[string]byte{}
	for _, s := range sections {
		if s.id != sectionExport {
			continue
		}
		r := reader{b: s.body}
		for n := r.uleb(); n > 0 && r.err == nil; n-- {
			name := r.name()
			kind := r.byte()
			r.uleb()
			if r.err == nil {
				exports[name] = kind
			}
		}
	}
	return exports
}

// imports is what AddPreemption needs of the import section.
type imports struct {
	globals uint64 // imported globals: they come first in the global index space
	yield   int64  // the function index of sched_yield, or -1
}

func readImports(sections []section) (imports, error) {
	im := imports{yield: -1}
	var funcs int64
	for _, s := range sections {
		if s.id != sectionImport {
			continue
		}
		r := reader{b: s.body}
		for n := r.uleb(); n > 0 && r.err == nil; n-- {
			module, name := r.name(), r.name()
			switch kind := r.byte(); kind {
			case 0x00: // function: type index
				r.uleb()
				if module == yieldModule && name == yieldName {
					im.yield = funcs
				}
				funcs++
			case 0x01: // table: reference type, limits
				r.byte()
				r.limits()
			case 0x02: // memory: limits
				r.limits()
			case 0x03: // global: value type, mutability
				r.byte()
				r.byte()
				im.globals++
			default:
				r.fail(fmt.Errorf("import of unknown kind %#x", kind))
			}
		}
		if r.err != nil {
			return im, fmt.Errorf("import section: %w", r.err)
		}
	}
	return im, nil
}

// instrumentCode puts check at the top of every loop of every function body.
func instrumentCode(code, check []byte) ([]byte, error) {
	r := reader{b: code}
	n := r.uleb()
	out := appendULEB128(make([]byte, 0, len(code)+len(code)/8), n)
	var body []byte
	for i := uint64(0); i < n && r.err == nil; i++ {
		size := r.uleb()
		fn := r.take(size)
		if r.err != nil {
			break
		}
		var err error
		if body, err = instrumentBody(body[:0], fn, check); err != nil {
			return nil, fmt.Errorf("function %d: %w", i, err)
		}
		out = appendULEB128(out, uint64(len(body)))
		out = append(out, body...)
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("bytes after the last function body")
	}
	return out, r.err
}

// instrumentBody appends fn, a function body, to out with check after the
// block type of every loop instruction.
func instrumentBody(out, fn, check []byte) ([]byte, error) {
	r := reader{b: fn}
	for groups := r.uleb(); groups > 0 && r.err == nil; groups-- { // locals
		r.uleb()
		r.byte()
	}
	out = append(out, fn[:len(fn)-len(r.b)]...)
	for r.err == nil && len(r.b) > 0 {
		start := r.b
		op := r.byte()
		loop := op == 0x03
		r.immediates(op)
		out = append(out, start[:len(start)-len(r.b)]...)
		if loop {
			out = append(out, check...)
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	return out, nil
}

// reader walks a section's bytes. The first error sticks: later reads give
// zero values.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.b = nil
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail(errors.New("unexpected end"))
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uleb() uint64 {
	v, n, err := uleb128(r.b)
	if err != nil {
		r.fail(err)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// skipLEB skips a LEB128 number of up to 64 bits, signed or not.
func (r *reader) skipLEB() {
	n, err := skipLEB128(r.b)
	if err != nil {
		r.fail(err)
		return
	}
	r.b = r.b[n:]
}

func (r *reader) take(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.fail(errors.New("unexpected end"))
		return nil
	}
	b := r.b[:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) name() string { return string(r.take(r.uleb())) }

func (r *reader) limits() {
	flags := r.byte()
	if flags > 0x03 {
		r.fail(fmt.Errorf("limits with unknown flags %#x", flags))
		return
	}
	r.uleb()
	if flags&0x01 != 0 {
		r.uleb()
	}
}

// blockType skips a block type: empty, a value type, or a type index.
func (r *reader) blockType() {
	if len(r.b) > 0 {
		switch r.b[0] {
		case 0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
			r.b = r.b[1:]
			return
		}
	}
	r.skipLEB()
}

// memarg skips a memory instruction's alignment (with its multi-memory
// flag) and offset.
func (r *reader) memarg() {
	if align := r.uleb(); align&0x40 != 0 {
		r.uleb()
	}
	r.uleb()
}

// immediates skips the immediates of instruction op.
func (r *reader) immediates(op byte) {
	switch {
	case op == 0x02 || op == 0x03 || op == 0x04: // block, loop, if
		r.blockType()
	case op == 0x0c || op == 0x0d: // br, br_if
		r.uleb()
	case op == 0x0e: // br_table
		for n := r.uleb(); n > 0 && r.err == nil; n-- {
			r.uleb()
		}
		r.uleb()
	case op == 0x10 || op == 0x12: // call, return_call
		r.uleb()
	case op == 0x11 || op == 0x13: // call_indirect, return_call_indirect
		r.uleb()
		r.uleb()
	case op == 0x1c: // select with types
		for n := r.uleb(); n > 0 && r.err == nil; n-- {
			r.byte()
		}
	case op >= 0x20 && op <= 0x26: // locals, globals, table.get/set
		r.uleb()
	case op >= 0x28 && op <= 0x3e: // loads and stores
		r.memarg()
	case op == 0x3f || op == 0x40: // memory.size, memory.grow
		r.uleb()
	case op == 0x41 || op == 0x42: // i32.const, i64.const
		r.skipLEB()
	case op == 0x43:
		r.take(4)
	case op == 0x44:
		r.take(8)
	case op == 0xd0: // ref.null
		r.byte()
	case op == 0xd2: // ref.func
		r.uleb()
	case op == 0xfc:
		r.prefixed()
	case op <= 0x01 || op == 0x05 || op == 0x0b || op == 0x0f || op == 0x1a || op == 0x1b ||
		(op >= 0x45 && op <= 0xc4) || op == 0xd1:
		// No immediates.
	default:
		r.fail(fmt.Errorf("unknown or unsupported instruction %#x", op))
	}
}

// prefixed skips the immediates of a 0xfc-prefixed instruction.
func (r *reader) prefixed() {
	switch sub := r.uleb(); {
	case sub <= 7: // saturating truncations
	case sub == 8: // memory.init: data index, memory
		r.uleb()
		r.uleb()
	case sub == 9 || sub == 11 || sub == 13 || sub >= 15 && sub <= 17:
		// data.drop, memory.fill, elem.drop, table.grow/size/fill: one index
		r.uleb()
	case sub == 10 || sub == 12 || sub == 14: // memory.copy, table.init, table.copy
		r.uleb()
		r.uleb()
	default:
		r.fail(fmt.Errorf("unknown instruction 0xfc %d", sub))
	}
}
