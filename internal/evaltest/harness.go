package evaltest

import (
	_ "embed"
	"strconv"
)

// HarnessSource is the Python program that runs the cases inside the
// sandbox; its docstring documents its command line and its file and
// progress-line protocol.
//
//go:embed harness.py
var HarnessSource []byte

// Where the host places the harness and the evaluation code in the guest.
// Under the guard, HarnessDir must be a trusted prefix (like the standard
// library's) so that the harness may import what it needs, while the
// evaluation code, outside it, is held to the policy.
const (
	HarnessDir  = "/tmp/.wasmbox/"
	HarnessPath = HarnessDir + "harness.py"
	ScriptPath  = "/tmp/eval_script.py"
)

// HarnessArgs returns the harness's arguments (what follows the harness
// path on its command line) for running function on the cases in casesPath
// from the 0-based index start, appending results to resultsPath. Under the
// guard the full argv is guard.Argv(policy, "file", HarnessPath, HarnessArgs(…)).
func HarnessArgs(function, casesPath, resultsPath string, start int) []string {
	return []string{ScriptPath, function, casesPath, resultsPath, strconv.Itoa(start)}
}
