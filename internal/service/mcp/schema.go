package mcp

import (
	"encoding/json"
	"fmt"
	"maps"
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
	runOut, err := runOutputSchema()
	if err != nil {
		return err
	}
	run, err := s.tool("run_python", "Run Python",
		"Run a Python 3.13 program in a fresh sandbox (no network, in-memory filesystem, time and memory limits). "+
			"The result has the program's exit code, stdout and stderr; isError is true when the program did not succeed "+
			"(non-zero exit, timeout (exit 124), memory limit (137), rejected by the import policy (126)). "+
			"With a context, the code runs as the next cell of that context's live interpreter instead (started by the first call naming it), "+
			"and the result is the cell's execution: its logs, the value of a trailing expression as a result, "+
			"the exception it raised as error (isError is then true), and what became of the context.",
		reflect.TypeFor[RunInput](), runOut)
	if err != nil {
		return err
	}
	checkOut, err := outputSchema("check_python", reflect.TypeFor[CheckOutput]())
	if err != nil {
		return err
	}
	check, err := s.tool("check_python", "Check Python",
		"Check Python code against the import policy without running it. isError is true when the code would be rejected.",
		reflect.TypeFor[CheckInput](), checkOut)
	if err != nil {
		return err
	}
	testOut, err := outputSchema("test_eval", reflect.TypeFor[runtime.TestReport]())
	if err != nil {
		return err
	}
	test, err := s.tool("test_eval", "Test an eval function",
		"Run an evaluation function against test cases in one sandbox; the host compares each result with the case's expected value "+
			"(numbers within tolerance) or exception class. isError is true unless every case passes.",
		reflect.TypeFor[TestInput](), testOut)
	if err != nil {
		return err
	}
	sdk.AddTool(s.server, run, s.runPython)
	sdk.AddTool(s.server, check, s.checkPython)
	sdk.AddTool(s.server, test, s.testEval)
	return nil
}

// outputSchema is the schema of a tool's structured result of type out.
func outputSchema(tool string, out reflect.Type) (*jsonschema.Schema, error) {
	schema, err := jsonschema.ForType(out, schemaOptions)
	if err != nil {
		return nil, fmt.Errorf("mcp: %s output schema: %w", tool, err)
	}
	return schema, nil
}

// runOutputSchema is run_python's output schema: an ExecResult, or a
// ContextRun when the call names a context. Its properties are both's, so
// a client that reads them learns every field; anyOf requires the fields
// of one or the other.
func runOutputSchema() (*jsonschema.Schema, error) {
	plain, err := outputSchema("run_python", reflect.TypeFor[runtime.ExecResult]())
	if err != nil {
		return nil, err
	}
	inContext, err := outputSchema("run_python", reflect.TypeFor[ContextRun]())
	if err != nil {
		return nil, err
	}
	props := maps.Clone(plain.Properties)
	maps.Copy(props, inContext.Properties)
	return &jsonschema.Schema{
		Type: "object", Properties: props, AdditionalProperties: plain.AdditionalProperties,
		AnyOf: []*jsonschema.Schema{{Required: plain.Required}, {Required: inContext.Required}},
	}, nil
}

// tool describes a tool whose arguments are in and whose structured result
// outSchema describes; the policy, timeout and context arguments get their
// allowed values.
func (s *Service) tool(name, title, description string, in reflect.Type, outSchema *jsonschema.Schema) (*sdk.Tool, error) {
	inSchema, err := jsonschema.ForType(in, schemaOptions)
	if err != nil {
		return nil, fmt.Errorf("mcp: %s input schema: %w", name, err)
	}
	describe(outSchema, outputDescriptions)
	if p := inSchema.Properties["policy"]; p != nil {
		p.Enum = policyNames
		p.Default, _ = json.Marshal(s.cfg.Policy)
	}
	if p := inSchema.Properties["context"]; p != nil {
		p.Pattern = contextNamePattern
		p.Description += fmt.Sprintf(". This server keeps up to %d contexts; one ends after %v without a call", s.cfg.MaxContexts, s.cfg.ContextTTL)
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
	"code":            "the cell that ran (run_python with a context)",
	"logs":            "what the cell wrote to stdout and stderr, one entry per write",
	"results":         "the value of the cell's trailing expression, if any and not None: text is its repr; html, markdown, json, svg and png come from its _repr_*_ methods",
	"error":           "the exception the cell (run_python with a context) or the case's call (test_eval) raised",
	"executionCount":  "the number of the cell in its context, from 1",
	"truncated":       "output past the output cap was dropped",
	"context":         "the context the cell ran in: its name, whether this call started it (created), and why this call ended it (lost)",
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
