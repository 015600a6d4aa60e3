// Command wasmbin rewrites WebAssembly binaries for wasmbox's interpreter
// builds:
//
//	go run ./internal/wasmbin/cmd/wasmbin strip IN OUT  # drop debug sections (make assets)
//	go run ./internal/wasmbin/cmd/wasmbin preempt IN OUT  # add preemption points (make python-wasm)
package main

import (
	"fmt"
	"os"

	"github.com/wasmbox/wasmbox/internal/wasmbin"
)

func main() {
	if len(os.Args) != 4 || (os.Args[1] != "strip" && os.Args[1] != "preempt") {
		fmt.Fprintln(os.Stderr, "usage: wasmbin strip|preempt IN.wasm OUT.wasm")
		os.Exit(2)
	}
	in, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasmbin:", err)
		os.Exit(1)
	}
	var out []byte
	if os.Args[1] == "strip" {
		out, err = wasmbin.Strip(in, wasmbin.DebugSections)
	} else {
		out, err = wasmbin.AddPreemption(in)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "wasmbin %s: %s: %v\n", os.Args[1], os.Args[2], err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[3], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "wasmbin:", err)
		os.Exit(1)
	}
	fmt.Printf("wasmbin %s: %s: %d -> %d bytes\n", os.Args[1], os.Args[3], len(in), len(out))
}
