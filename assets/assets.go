// Package assets embeds the CPython WASI build that wasmbox runs.
//
// cpython313/ holds our own build of CPython 3.13, a WASI reactor, and its
// standard library; build/ holds the recipe (`make python-wasm`), and the
// outputs are committed, so building wasmbox needs nothing but Go. README.md
// in this folder gives provenance, versions and licences.
package assets

import (
	"embed"
	"io/fs"
)

// CPython313Wasm is our CPython 3.13 for wasm32-wasi, linked as a WASI
// reactor with wasmbox's entry points (build/wasmbox_reactor.c).
//
//go:embed cpython313/python.wasm
var CPython313Wasm []byte

// CPython313Version is the version of the CPython build in CPython313Wasm.
const CPython313Version = "3.13.5"

// NumpyWasm is CPython313Wasm with numpy's extension modules linked in and
// registered as built-in modules under their dotted names
// (numpy._core._multiarray_umath, ...): the interpreter for programs that
// import numpy. Its Python part is numpy.zip in CPython313Stdlib.
//
//go:embed cpython313/python-numpy.wasm
var NumpyWasm []byte

// NumpyVersion is the version of numpy in NumpyWasm and numpy.zip.
const NumpyVersion = "2.2.4"

//go:embed cpython313/python313.zip cpython313/numpy.zip
var cpython313 embed.FS

// CPython313Stdlib is a directory holding python313.zip, CPython313Wasm's
// standard library as .pyc files, and numpy.zip, numpy's Python part for
// NumpyWasm; the guest mounts it at /usr/local/lib.
var CPython313Stdlib = func() fs.FS {
	sub, err := fs.Sub(cpython313, "cpython313")
	if err != nil { // cannot happen: the directory is embedded
		panic(err)
	}
	return sub
}()

// SHA-256 sums of the committed build outputs; `make python-wasm` prints
// the sums of what it builds.
const (
	CPython313WasmSHA256   = "119d567b34a301ca9d6f834c2ccf2847c2fdb1e628c76c2154cf2269e0b30f7a"
	CPython313StdlibSHA256 = "c73088981b3e68cdd8da028d31e5e917e2efcb8549aba07f36cd20d04d0c8792"
	NumpyWasmSHA256        = "75422e0bcf3f40ba5ebf56bd3743d4548dd3b1cd0ab14eede0f8fb4a0a9218b8"
	NumpyZipSHA256         = "512f233f5817c39575291f15031400952f71946f93e40942c59919d77f24fde5"
	// NumpyWithTestsSHA256 is the sum of cpython313/numpy-with-tests.zip:
	// numpy's Python part with its own test suite, committed beside the
	// embedded files but not embedded (the numpy test-suite run mounts it
	// with --packages).
	NumpyWithTestsSHA256 = "da7057cd1146b56ca959d0b9d5f1ce2a616ffe64fe3f813fdab49417f3922634"
)
