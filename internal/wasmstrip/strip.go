// Package wasmstrip removes custom sections from a WebAssembly binary.
//
// The CPython WASI binary carries about 13 MB of DWARF debug information in
// ".debug_*" custom sections. wazero never reads them, but it still has to
// decode past them, and they bloat the executable that embeds the module.
package wasmstrip

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// DebugSections reports whether a custom section of the given name holds
// debug information that Strip should drop. The "name" section, which gives
// function names in stack traces, is kept.
func DebugSections(name string) bool {
	return strings.HasPrefix(name, ".debug_") || name == "sourceMappingURL" || name == "external_debug_info"
}

// Strip returns a copy of the module in wasm without the custom sections for
// which drop returns true. Every other section is copied byte for byte.
func Strip(wasm []byte, drop func(name string) bool) ([]byte, error) {
	if !bytes.HasPrefix(wasm, header) {
		return nil, errors.New("not a WebAssembly 1.0 binary: bad magic or version")
	}
	out := make([]byte, 0, len(wasm))
	out = append(out, header...)
	rest := wasm[len(header):]
	for len(rest) > 0 {
		start := rest
		id := rest[0]
		size, n, err := uleb128(rest[1:])
		if err != nil {
			return nil, fmt.Errorf("section at offset %d: %w", len(wasm)-len(rest), err)
		}
		body := rest[1+n:]
		if uint64(len(body)) < size {
			return nil, fmt.Errorf("section at offset %d: size %d runs past the end of the file", len(wasm)-len(rest), size)
		}
		rest = body[size:]
		section := start[:1+n+int(size)]
		if id == 0 {
			nameLen, m, err := uleb128(body[:size])
			if err != nil || uint64(m)+nameLen > size {
				return nil, fmt.Errorf("custom section at offset %d: bad name", len(wasm)-len(start))
			}
			if drop(string(body[m : m+int(nameLen)])) {
				continue
			}
		}
		out = append(out, section...)
	}
	return out, nil
}

// uleb128 decodes an unsigned LEB128 number of at most 32 bits, returning the
// value and the number of bytes it took.
func uleb128(b []byte) (uint64, int, error) {
	var v uint64
	for i := 0; i < 5; i++ {
		if i >= len(b) {
			return 0, 0, errors.New("truncated LEB128 number")
		}
		v |= uint64(b[i]&0x7f) << (7 * i)
		if b[i]&0x80 == 0 {
			return v, i + 1, nil
		}
	}
	return 0, 0, errors.New("LEB128 number longer than 32 bits")
}
