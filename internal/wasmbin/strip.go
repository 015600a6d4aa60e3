// Package wasmbin makes the small rewrites of WebAssembly binaries that
// wasmbox's interpreter builds need: Strip drops custom sections, and
// AddPreemption makes every loop call into the host now and then.
package wasmbin

import "strings"

// The npm CPython WASI binary carries about 13 MB of DWARF debug information
// in ".debug_*" custom sections. wazero never reads them, but it still has
// to decode past them, and they bloat the executable that embeds the module.

// DebugSections reports whether a custom section of the given name holds
// debug information that Strip should drop. The "name" section, which gives
// function names in stack traces, is kept.
func DebugSections(name string) bool {
	return strings.HasPrefix(name, ".debug_") || name == "sourceMappingURL" || name == "external_debug_info"
}

// Strip returns a copy of the module in wasm without the custom sections for
// which drop returns true. Every other section is copied byte for byte.
func Strip(wasm []byte, drop func(name string) bool) ([]byte, error) {
	sections, err := readSections(wasm)
	if err != nil {
		return nil, err
	}
	kept := sections[:0]
	for _, s := range sections {
		if s.id == sectionCustom {
			name, err := s.customName()
			if err != nil {
				return nil, err
			}
			if drop(name) {
				continue
			}
		}
		kept = append(kept, s)
	}
	return writeSections(kept), nil
}
