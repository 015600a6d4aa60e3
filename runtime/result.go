package runtime

import (
	"time"

	"github.com/wasmbox/wasmbox/validate"
)

// Exit statuses that wasmbox gives for outcomes other than the program's own
// exit. They follow the conventions of timeout(1) and shells.
const (
	// ExitTimeout: the program ran past its timeout and was stopped.
	ExitTimeout = 124
	// ExitSandboxFailure: the sandbox itself failed (not the program).
	ExitSandboxFailure = 125
	// ExitRejected: the policy check rejected the code; nothing ran.
	ExitRejected = 126
	// ExitNotFound: the command is not one this sandbox runs.
	ExitNotFound = 127
	// ExitCanceled: the caller canceled the execution (like SIGINT).
	ExitCanceled = 130
	// ExitCrashed: the program crashed with a WebAssembly trap, the
	// sandbox's equivalent of a fatal signal (like SIGABRT).
	ExitCrashed = 134
	// ExitMemory: the program hit the memory limit and failed (like the
	// SIGKILL of an out-of-memory killer).
	ExitMemory = 137
)

// ExecResult is the outcome of one execution. Its JSON form is the one the
// CLI's --json and the HTTP API print.
type ExecResult struct {
	// Success is ExitCode == 0.
	Success  bool `json:"success"`
	ExitCode int  `json:"exitCode"`
	// Stdout and Stderr hold what the program wrote, up to the output cap.
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	// Command is the command as given to Exec.
	Command string `json:"command"`
	// Duration is the wall time in milliseconds.
	Duration  float64   `json:"duration"`
	Timestamp time.Time `json:"timestamp"`
	// TimedOut: the program was stopped at its timeout (exit 124).
	TimedOut bool `json:"timedOut"`
	// MemoryExceeded: the program asked for memory past its limit and was
	// refused. The exit status is 137 if the program then failed.
	MemoryExceeded  bool `json:"memoryExceeded"`
	StdoutTruncated bool `json:"stdoutTruncated"`
	StderrTruncated bool `json:"stderrTruncated"`
	// Violations lists why the policy check rejected the code (exit 126).
	// It is empty, never nil, otherwise.
	Violations []validate.Violation `json:"violations"`
	// CPUUnits is the units of work the program executed (see
	// ExecOptions.CPUBudget); 0 for an interpreter without preemption
	// points.
	CPUUnits int64 `json:"-"`
}
