package mcp

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmbox/wasmbox/runtime"
)

// policyNames are the policies a call may name.
var policyNames = []any{"strict", "stdlib", "none"}

// schemaOptions map types whose Go form says nothing of their JSON: a raw
// JSON value may be any JSON value.
var schemaOptions = &jsonschema.ForOptions{TypeSchemas: map[reflect.Type]*jsonschema.Schema{
	reflect.TypeFor[json.RawMessage](): {Description: "any JSON value"},
}}

// addTools registers the three tools with their input and output schemas.
func (s *Service) addTools() error {
	run, err := s.tool("run_python", "Run Python",
		"Run a Python 3.13 program in a fresh sandbox (no network, in-memory filesystem, time and memory limits). "+
			"The result has the program's exit code, stdout and stderr; isError is true when the program did not succeed "+
			"(non-zero exit, timeout (exit 124), memory limit (137), rejected by the import policy (126)).",
		reflect.TypeFor[RunInput](), reflect.TypeFor[runtime.ExecResult]())
	if err != nil {
		return err
	}
	check, err := s.tool("check_python", "Check Python",
		"Check Python code against the import policy without running it. isError is true when the code would be rejected.",
		reflect.TypeFor[CheckInput](), reflect.TypeFor[CheckOutput]())
	if err != nil {
		return err
	}
	test, err := s.tool("test_eval", "Test an eval function",
		"Run an evaluation function against test cases in one sandbox; the host compares each result with the case's expected value "+
			"(numbers within tolerance) or exception class. isError is true unless every case passes.",
		reflect.TypeFor[TestInput](), reflect.TypeFor[runtime.TestReport]())
	if err != nil {
		return err
	}
	sdk.AddTool(s.server, run, s.runPython)
	sdk.AddTool(s.server, check, s.checkPython)
	sdk.AddTool(s.server, test, s.testEval)
	return nil
}

// tool describes a tool whose arguments and structured result are in and
// out; the policy and timeout arguments get their allowed values.
func (s *Service) tool(name, title, description string, in, out reflect.Type) (*sdk.Tool, error) {
	inSchema, err := jsonschema.ForType(in, schemaOptions)
	if err != nil {
		return nil, fmt.Errorf("mcp: %s input schema: %w", name, err)
	}
	outSchema, err := jsonschema.ForType(out, schemaOptions)
	if err != nil {
		return nil, fmt.Errorf("mcp: %s output schema: %w", name, err)
	}
	describe(outSchema, outputDescriptions)
	if p := inSchema.Properties["policy"]; p != nil {
		p.Enum = policyNames
		p.Default, _ = json.Marshal(s.cfg.Policy)
	}
	if p := inSchema.Properties["test_cases"]; p != nil {
		// The cases are objects; runtime.ParseCases names a bad key or value.
		p.Items = &jsonschema.Schema{Type: "object"}
	}
	if p := inSchema.Properties["timeout_seconds"]; p != nil {
		zero, most := 0.0, s.cfg.MaxTimeout.Seconds()
		p.ExclusiveMinimum, p.Maximum = &zero, &most
		p.Description += fmt.Sprintf(" (default %v, at most %v)", s.cfg.Timeout.Seconds(), most)
	}
	return &sdk.Tool{
		Name: name, Title: title, Description: description,
		InputSchema: inSchema, OutputSchema: outSchema,
		Annotations: &sdk.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: new(bool)},
	}, nil
}

// outputDescriptions describe the fields of the tools' structured results,
// by JSON name (the same name means the same thing in every tool).
var outputDescriptions = map[string]string{
	"success":         "true when the program exited 0 (run_python) or every case passed (test_eval)",
	"exitCode":        "the program's exit status; 124 timed out, 126 rejected by the policy (nothing ran), 137 memory limit, 125 the sandbox failed",
	"stdout":          "what the program (or the case's call) printed, up to the output cap",
	"stderr":          "what the program wrote to stderr, up to the output cap",
	"duration":        "wall time in milliseconds",
	"timedOut":        "the program ran past its timeout and was stopped (run_python); cases that timed out (test_eval)",
	"memoryExceeded":  "the program asked for memory past its limit",
	"violations":      "why the policy check rejected the code; empty otherwise",
	"loadError":       "set when the eval code raised while loading or lacks the function; then no case ran",
	"cases":           "one result a case, in order: status pass, fail, error or timeout",
	"expected":        "the case's expected value",
	"actual":          "the value the function returned",
	"stdoutTruncated": "stdout was cut at the output cap",
	"stderrTruncated": "stderr was cut at the output cap",
}

// describe sets the description of every property of s, at any depth,
// that has none and is named in descs.
func describe(s *jsonschema.Schema, descs map[string]string) {
	if s == nil {
		return
	}
	for name, p := range s.Properties {
		if p.Description == "" {
			p.Description = descs[name]
		}
		describe(p, descs)
	}
	describe(s.Items, descs)
}
