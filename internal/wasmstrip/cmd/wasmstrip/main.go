// Command wasmstrip copies a WebAssembly binary without its debug sections.
// The Makefile runs it when it prepares assets/python.wasm:
//
//	go run ./internal/wasmstrip/cmd/wasmstrip IN OUT
package main

import (
	"fmt"
	"os"

	"github.com/wasmbox/wasmbox/internal/wasmstrip"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: wasmstrip IN.wasm OUT.wasm")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmstrip:", err)
		os.Exit(1)
	}
	out, err := wasmstrip.Strip(in, wasmstrip.DebugSections)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmstrip: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "wasmstrip:", err)
		os.Exit(1)
	}
	fmt.Printf("wasmstrip: %s: %d -> %d bytes\n", os.Args[2], len(in), len(out))
}
