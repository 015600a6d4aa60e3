// Package bench measures wasmbox against native CPython on a few fixed
// workloads, for `wasmbox bench`.
//
// Each workload (see Workloads) runs under every variant (see Variants):
//
//   - native: the host's python3, resolved past shims, as a subprocess per
//     run; the baseline every ratio is taken against.
//   - wasmbox: this process's engine, with a fresh sandbox and interpreter
//     instance per run (runtime.PythonRunner, or runtime.EvalTester for
//     eval100), under the default strict policy.
//   - wasmbox-cli: the whole `wasmbox run` (or `wasmbox test`) process per
//     run, cold start included.
//
// For each pair the benchmark makes one unmeasured warm-up run, then Runs
// runs one at a time, interleaved across the variants so that a change in
// the machine's load hits them all alike, then max(Runs, Concurrency) runs
// spread over Concurrency workers. Every run's output is checked; a run that
// fails ends the benchmark with an error rather than dropping the sample.
//
// Shared machines are noisy, so the figures that travel well are the ratios
// to native measured in the same run, not the absolute times.
package bench
