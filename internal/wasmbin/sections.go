package wasmbin

import (
	"bytes"
	"errors"
	"fmt"
)

var header = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// Section ids used here.
const (
	sectionImport = 2
	sectionGlobal = 6
	sectionExport = 7
	sectionCode   = 10
)

// section is one section of a module: its id and contents, and its bytes
// as read (nil once it is edited), which are written back unchanged.
type section struct {
	id   byte
	body []byte
	raw  []byte
}

// readSections splits a module into its sections, checking only the framing.
func readSections(wasm []byte) ([]section, error) {
	if !bytes.HasPrefix(wasm, header) {
		return nil, errors.New("not a WebAssembly 1.0 binary: bad magic or version")
	}
	var out []section
	rest := wasm[len(header):]
	for len(rest) > 0 {
		at := len(wasm) - len(rest)
		size, n, err := uleb128(rest[1:])
		if err != nil {
			return nil, fmt.Errorf("section at offset %d: %w", at, err)
		}
		body := rest[1+n:]
		if uint64(len(body)) < size {
			return nil, fmt.Errorf("section at offset %d: size %d runs past the end of the file", at, size)
		}
		out = append(out, section{id: rest[0], body: body[:size], raw: rest[:1+n+int(size)]})
		rest = body[size:]
	}
	return out, nil
}

// writeSections is the inverse of readSections. Sections not edited are
// written byte for byte as read (a size may have been padded).
func writeSections(sections []section) []byte {
	out := append([]byte(nil), header...)
	for _, s := range sections {
		if s.raw != nil {
			out = append(out, s.raw...)
			continue
		}
		out = append(out, s.id)
		out = appendULEB128(out, uint64(len(s.body)))
		out = append(out, s.body...)
	}
	return out
}
