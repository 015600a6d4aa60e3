package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"

	"github.com/wasmbox/wasmbox/assets"
)

// version is wasmbox's own version; release builds set it with -ldflags -X main.version=...
var version = "0.1.0"

func init() {
	commands["version"] = command{"print the versions of wasmbox, its Python, numpy and wazero, and the asset checksums", versionCmd}
}

func versionCmd(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("version", "wasmbox version", stderr)
	if status, done := parseFlags(flags, args, stdout); done {
		return status
	}
	if flags.NArg() > 0 {
		return usageError(stderr, "version", "unexpected argument %q", flags.Arg(0))
	}
	fmt.Fprintf(stdout, "wasmbox %s\n", version)
	fmt.Fprintf(stdout, "python  %s (wasm32-wasi reactor, assets/cpython313, started from a snapshot)\n", assets.CPython313Version)
	fmt.Fprintf(stdout, "numpy   %s (in a second module, assets/cpython313/python-numpy.wasm, for code that imports numpy)\n", assets.NumpyVersion)
	fmt.Fprintf(stdout, "wazero  %s\n", moduleVersion("github.com/tetratelabs/wazero"))
	zip, _ := fs.ReadFile(assets.CPython313Stdlib, "python313.zip")
	numpyZip, _ := fs.ReadFile(assets.CPython313Stdlib, "numpy.zip")
	for _, a := range []struct {
		name string
		data []byte
	}{{"cpython313/python.wasm", assets.CPython313Wasm}, {"cpython313/python313.zip", zip},
		{"cpython313/python-numpy.wasm", assets.NumpyWasm}, {"cpython313/numpy.zip", numpyZip}} {
		sum := sha256.Sum256(a.data)
		fmt.Fprintf(stdout, "asset   %s sha256:%s\n", a.name, hex.EncodeToString(sum[:]))
	}
	return exitOK
}

// moduleVersion returns the version of a module the binary was built with.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return dep.Version
			}
		}
	}
	return "unknown"
}
