package wasmbin

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// loopModule has two functions of type () -> i32: "spin" loops forever,
// "sum" adds 1..100 in a loop. It has one global of its own, so the stop
// flag is global 1.
func loopModule() []byte {
	var m []byte
	m = append(m, header...)
	m = append(m, rawSection(1, []byte{0x01, 0x60, 0x00, 0x01, 0x7f})...)
	m = append(m, rawSection(3, []byte{0x02, 0x00, 0x00})...)
	m = append(m, rawSection(6, []byte{0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b})...)
	m = append(m, rawSection(7, []byte{0x02, 4, 's', 'p', 'i', 'n', 0x00, 0x00, 3, 's', 'u', 'm', 0x00, 0x01})...)
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

func instantiate(t *testing.T, wasm []byte) api.Module {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { rt.Close(ctx) })
	mod, err := rt.Instantiate(ctx, wasm)
	if err != nil {
		t.Fatal(err)
	}
	return mod
}

func TestAddStopCheckStopsASpinningLoop(t *testing.T) {
	out, err := AddStopCheck(loopModule())
	if err != nil {
		t.Fatal(err)
	}
	if kinds := Exports(out); kinds[StopGlobal] != ExportGlobal || kinds["spin"] != ExportFunc || len(kinds) != 3 {
		t.Fatalf("exports %v", kinds)
	}
	mod := instantiate(t, out)
	// Loops still compute what they did.
	if res, err := mod.ExportedFunction("sum").Call(context.Background()); err != nil || res[0] != 5050 {
		t.Fatalf("sum = %v, %v", res, err)
	}
	stop := mod.ExportedGlobal(StopGlobal).(api.MutableGlobal)
	if stop.Get() != 0 {
		t.Fatalf("the stop flag starts at %d", stop.Get())
	}
	done := make(chan error, 1)
	go func() {
		_, err := mod.ExportedFunction("spin").Call(context.Background())
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("spin ended before the flag was set: %v", err)
	default:
	}
	stop.Set(1)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "unreachable") {
			t.Fatalf("spin ended with %v, want a trap", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("spin did not stop after the flag was set")
	}
}

func TestAddStopCheckRejects(t *testing.T) {
	simd := loopModule()
	// Make spin's loop body start with a SIMD prefix.
	i := strings.Index(string(simd), "\x00\x03\x40\x0c\x00\x0b")
	simd[i+3] = 0xfd
	for name, in := range map[string][]byte{
		"not wasm":          []byte("hello"),
		"no code":           append(append([]byte{}, header...), rawSection(6, []byte{0x00})...),
		"simd instruction":  simd,
		"truncated section": loopModule()[:len(loopModule())-3],
	} {
		if _, err := AddStopCheck(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
