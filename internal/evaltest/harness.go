package evaltest

import _ "embed"

// HarnessSource is the Python program that runs the cases inside the
// sandbox; its docstring documents its command line and its protocol.
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
// path on its command line) for testing function. Under the guard the full
// argv is guard.Argv(policy, "file", HarnessPath, HarnessArgs(function)).
func HarnessArgs(function string) []string {
	return []string{ScriptPath, function}
}
