package wasmbin

import (
	"bytes"
	"testing"
)

// rawSection builds a wasm section: id, LEB128 size, payload.
func rawSection(id byte, payload []byte) []byte {
	return append([]byte{id, byte(len(payload))}, payload...)
}

func custom(name string, body string) []byte {
	return rawSection(0, append(append([]byte{byte(len(name))}, name...), body...))
}

func TestStripDropsDebugKeepsRest(t *testing.T) {
	typeSec := rawSection(1, []byte{0x01, 0x60, 0x00, 0x00})
	nameSec := custom("name", "\x00\x01x")
	var in []byte
	in = append(in, header...)
	in = append(in, typeSec...)
	in = append(in, custom(".debug_info", "dwarf")...)
	in = append(in, nameSec...)
	in = append(in, custom(".debug_line", "lines")...)
	out, err := Strip(in, DebugSections)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte{}, header...), typeSec...), nameSec...)
	if !bytes.Equal(out, want) {
		t.Fatalf("got % x\nwant % x", out, want)
	}
}

func TestStripRejectsMalformed(t *testing.T) {
	for name, in := range map[string][]byte{
		"not wasm":            []byte("hello world"),
		"section too long":    append(append([]byte{}, header...), 1, 50, 0),
		"truncated LEB":       append(append([]byte{}, header...), 1, 0x80),
		"custom name overrun": append(append([]byte{}, header...), 0, 2, 9, 'a'),
	} {
		if _, err := Strip(in, DebugSections); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
