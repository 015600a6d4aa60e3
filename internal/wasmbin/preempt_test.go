package wasmbin

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

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
	if err != nil {
		t.Fatal(err)
	}
	mod, err := rt.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func TestAddPreemptionYieldsFromASpinningLoop(t *testing.T) {
	out, err := AddPreemption(loopModule())
	if err != nil {
		t.Fatal(err)
	}
	if kinds := Exports(out); kinds[BudgetGlobal] != ExportGlobal || kinds["spin"] != ExportFunc || len(kinds) != 3 {
		t.Fatalf("exports %v", kinds)
	}
	var calls atomic.Int64
	var stop atomic.Bool
	mod := instantiate(t, out, &calls, &stop)
	// Loops still compute what they did; 100 iterations do not yield.
	if res, err := mod.ExportedFunction("sum").Call(context.Background()); err != nil || res[0] != 5050 || calls.Load() != 0 {
		t.Fatalf("sum = %v, %v, %d yields", res, err, calls.Load())
	}
	done := make(chan error, 1)
	go func() {
		_, err := mod.ExportedFunction("spin").Call(context.Background())
		done <- err
	}()
	deadline := time.Now().Add(time.Minute)
	for calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("the spinning loop never yielded")
		}
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	select {
	case err := <-done:
		if !errors.Is(err, errStop) && (err == nil || !strings.Contains(err.Error(), errStop.Error())) {
			t.Fatalf("spin ended with %v, want the host's error", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("spin did not stop")
	}
}

func TestAddPreemptionRejects(t *testing.T) {
	simd := loopModule()
	// Make spin's loop body start with a SIMD prefix.
	i := strings.Index(string(simd), "\x00\x03\x40\x0c\x00\x0b")
	simd[i+3] = 0xfd
	noYield := []byte(strings.Replace(string(loopModule()), yieldName, "sched_yieldX"[:len(yieldName)-1]+"Z", 1))
	for name, in := range map[string][]byte{
		"not wasm":          []byte("hello"),
		"no code":           append(append([]byte{}, header...), rawSection(6, []byte{0x00})...),
		"simd instruction":  simd,
		"truncated section": loopModule()[:len(loopModule())-3],
		"no sched_yield":    noYield,
	} {
		if _, err := AddPreemption(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
