// Package wasmbin makes the small rewrite of WebAssembly binaries that
// wasmbox's interpreter build needs: AddPreemption makes every loop call
// into the host now and then (`make python-wasm` runs it through
// cmd/wasmbin), and Exports tells the engine what a module exports.
package wasmbin
