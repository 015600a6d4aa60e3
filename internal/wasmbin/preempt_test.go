package wasmbin

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// rawSection builds a wasm section: id, LEB128 size, payload.
func rawSection(id byte, payload []byte) []byte {
	return append([]byte{id, byte(len(payload))}, payload...)
}

// loopModule imports sched_yield (function 0) and has two functions of type
// () -> i32: "spin" loops forever, "sum" adds 1..100 in a loop. It has one
// global of its own, so the budget is global 1.
func loopModule() []byte {
	var m []byte
	m = append(m, header...)
	m = append(m, rawSection(1, []byte{0x01, 0x60, 0x00, 0x01, 0x7f})...)
	imp := []byte{0x01, byte(len(yieldModule))}
	imp = append(imp, yieldModule...)
	imp = append(imp, byte(len(yieldName)))
	imp = append(imp, yieldName...)
	imp = append(imp, 0x00, 0x00)
	m = append(m, rawSection(2, imp)...)
	m = append(m, rawSection(3, []byte{0x02, 0x00, 0x00})...)
	m = append(m, rawSection(6, []byte{0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b})...)
	m = append(m, rawSection(7, []byte{0x02, 4, 's', 'p', 'i', 'n', 0x00, 0x01, 3, 's', 'u', 'm', 0x00, 0x02})...)
	spin := []byte{0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00, 0x0b}
	sum := []byte{0x01, 0x02, 0x7f, // locals i, acc
		0x03, 0x40, // loop
		0x20, 0x00, 0x41, 0x01, 0x6a, 0x22, 0x00, // i = i + 1
		0x20, 0x01, 0x6a, 0x21, 0x01, // acc += i
		0x20, 0x00, 0x41, 0xe4, 0x00, 0x48, 0x0d, 0x00, // br_if i < 100
		0x0b,
		0x20, 0x01, 0x0b}
	code := []byte{0x02, byte(len(spin))}
	code = append(code, spin...)
	code = append(code, byte(len(sum)))
	code = append(code, sum...)
	return append(m, rawSection(10, code)...)
}

var errStop = errors.New("stopped by the host")

// instantiate runs wasm with a sched_yield that counts its calls and
// panics (stopping the guest) once stop is set.
func instantiate(t *testing.T, wasm []byte, calls *atomic.Int64, stop *atomic.Bool) api.Module {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	_, err := rt.NewHostModuleBuilder(yieldModule).NewFunctionBuilder().
		WithFunc(func() int32 {
			calls.Add(1)
			if stop.Load() {
				panic(errStop)
			}
			return 0
		}).Export(yieldName).Instantiate(ctx)
	require.NoError(t, err)
	mod, err := rt.Instantiate(ctx, wasm)
	require.NoError(t, err)
	return mod
}

func TestAddPreemptionYieldsFromASpinningLoop(t *testing.T) {
	out, err := AddPreemption(loopModule())
	require.NoError(t, err)
	assert.Equal(t, map[string]byte{BudgetGlobal: ExportGlobal, "spin": ExportFunc, "sum": ExportFunc}, Exports(out))
	var calls atomic.Int64
	var stop atomic.Bool
	mod := instantiate(t, out, &calls, &stop)
	// Loops still compute what they did; 100 iterations do not yield.
	res, err := mod.ExportedFunction("sum").Call(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []uint64{5050}, res)
	assert.Zero(t, calls.Load(), "yields during sum")

	done := make(chan error, 1)
	go func() {
		_, err := mod.ExportedFunction("spin").Call(context.Background())
		done <- err
	}()
	require.Eventually(t, func() bool { return calls.Load() >= 3 }, time.Minute, time.Millisecond, "the spinning loop never yielded")
	stop.Store(true)
	select {
	case err := <-done:
		// wazero returns the host function's panic value, wrapped.
		assert.ErrorIs(t, err, errStop, "spin should end with the host's error")
	case <-time.After(time.Minute):
		require.FailNow(t, "spin did not stop")
	}
}

func TestAddPreemptionRejects(t *testing.T) {
	simd := loopModule()
	// Make spin's loop body start with a SIMD prefix.
	i := strings.Index(string(simd), "\x00\x03\x40\x0c\x00\x0b")
	require.GreaterOrEqual(t, i, 0, "spin's body not found in loopModule")
	simd[i+3] = 0xfd
	noYield := []byte(strings.Replace(string(loopModule()), yieldName, "sched_yieldX"[:len(yieldName)-1]+"Z", 1))
	for name, in := range map[string][]byte{
		"not wasm":          []byte("hello"),
		"section too long":  append(append([]byte{}, header...), 1, 50, 0),
		"truncated LEB":     append(append([]byte{}, header...), 1, 0x80),
		"no code":           append(append([]byte{}, header...), rawSection(6, []byte{0x00})...),
		"simd instruction":  simd,
		"truncated section": loopModule()[:len(loopModule())-3],
		"no sched_yield":    noYield,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := AddPreemption(in)
			assert.Error(t, err)
		})
	}
}
