package main

import (
	"github.com/spf13/pflag"

	"github.com/wasmbox/wasmbox/runtime"
)

// detFlags are the flags of deterministic runs and the CPU budget, shared
// by run and test.
type detFlags struct {
	deterministic bool
	seed          uint64
	budget        int64
}

func (d *detFlags) register(fs *pflag.FlagSet, budgetHelp string) {
	fs.BoolVar(&d.deterministic, "deterministic", false, "clocks follow executed work, randomness and the string-hash seed follow --seed: the same input gives the same output")
	fs.Uint64Var(&d.seed, "seed", 0, "seed of a --deterministic run")
	fs.Int64Var(&d.budget, "cpu-budget", 0, budgetHelp+" (exit 124; a unit is about 13 000 iterations of a plain Python loop; 0 = none)")
}

// execOptions applies the flags to opts.
func (d *detFlags) execOptions(opts runtime.ExecOptions) runtime.ExecOptions {
	opts.Deterministic, opts.Seed, opts.CPUBudget = d.deterministic, d.seed, d.budget
	return opts
}
