package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/wasmbox/wasmbox/validate"
)

func init() {
	commands["check"] = command{"check Python files against a policy, without running them", checkCmd}
}

// checkedFile is one file's entry in `check --json`.
type checkedFile struct {
	Path       string               `json:"path"`
	OK         bool                 `json:"ok"`
	Violations []validate.Violation `json:"violations"`
}

func checkCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "wasmbox check [--policy NAME] [--allow-import LIST] [--json] FILE...", stderr)
	var policyName, allow string
	registerPolicyFlags(fs, &policyName, &allow)
	asJSON := fs.Bool("json", false, `print {"files": [{"path", "ok", "violations"}]} instead of one line a violation`)
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}
	if fs.NArg() == 0 {
		return usageError(stderr, "check", "no file to check")
	}
	policy, err := resolvePolicy(policyName, allow)
	if err != nil {
		return usageError(stderr, "check", "%v", err)
	}
	// Read every file first: an unreadable one is a usage error, and then
	// nothing is reported as checked.
	sources := make([][]byte, fs.NArg())
	for i, path := range fs.Args() {
		if sources[i], err = os.ReadFile(path); err != nil {
			return usageError(stderr, "check", "cannot read %v", err)
		}
	}
	files := make([]checkedFile, fs.NArg())
	status := exitOK
	for i, path := range fs.Args() {
		v := validate.Check(sources[i], policy)
		files[i] = checkedFile{Path: path, OK: len(v) == 0, Violations: v}
		if len(v) > 0 {
			status = 1
		}
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(map[string]any{"files": files}); err != nil {
			fmt.Fprintf(stderr, "wasmbox check: %v\n", err)
			return exitUsage
		}
		return status
	}
	for _, f := range files {
		for _, v := range f.Violations {
			fmt.Fprintf(stdout, "%s:%d:%d: %s: %s\n", f.Path, v.Line, v.Col, v.Rule, v.Message)
		}
	}
	return status
}
