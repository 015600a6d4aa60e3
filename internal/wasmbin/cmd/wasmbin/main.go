// Command wasmbin adds preemption points to a WebAssembly binary, the last
// step of building wasmbox's interpreter (`make python-wasm`):
//
//	go run ./internal/wasmbin/cmd/wasmbin preempt IN OUT
package main

import (
	"fmt"
	"os"

	"github.com/wasmbox/wasmbox/internal/wasmbin"
)

func main() {
	if len(os.Args) != 4 || os.Args[1] != "preempt" {
		fmt.Fprintln(os.Stderr, "usage: wasmbin preempt IN.wasm OUT.wasm")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmbin:", err)
		os.Exit(1)
	}
	out, err := wasmbin.AddPreemption(in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmbin preempt: %s: %v\n", os.Args[2], err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[3], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "wasmbin:", err)
		os.Exit(1)
	}
	fmt.Printf("wasmbin preempt: %s: %d -> %d bytes\n", os.Args[3], len(in), len(out))
}
