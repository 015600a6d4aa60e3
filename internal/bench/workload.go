package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// computeN is the length of the compute workload's loop.
const computeN = 300_000

// evalCases is how many cases the eval100 workload runs.
const evalCases = 100

// Workload is one fixed piece of Python that every variant runs.
type Workload struct {
	// Name is the workload's name on the command line and in reports.
	Name string
	// Description says what it runs, in a few words.
	Description string

	// Script is the program for the script workloads; nil for eval100.
	Script []byte
	// Stdout is what a correct run of Script prints.
	Stdout string

	// Eval is set for the eval-tester workload.
	Eval *EvalWorkload

	// Needs lists the modules beyond the standard library that the
	// workload imports (numpy). A variant whose interpreter lacks one
	// skips the workload, and its result says why (Result.Skipped).
	Needs []string
	// AllowImports are the modules the wasmbox variants allow besides the
	// strict policy's.
	AllowImports []string

	// files are the workload's files on the host, once Run has written them.
	files workloadFiles
}

// EvalWorkload is an eval function and its cases, every one of which passes.
type EvalWorkload struct {
	// Code defines the function "evaluate".
	Code []byte
	// CasesJSON is the cases file, a JSON array.
	CasesJSON []byte
	// Cases are CasesJSON parsed.
	Cases []runtime.TestCase
}

// nativeEvalDriver is the plain-Python loop that native runs for eval100:
// load the eval code, call it on every case, compare as JSON values.
//
//go:embed evaldriver.py
var nativeEvalDriver []byte

// nativeEvalStdout is what the driver prints when every case passes.
var nativeEvalStdout = fmt.Sprintf("%d/%d passed\n", evalCases, evalCases)

// Workloads returns the workloads in report order.
func Workloads() []*Workload {
	return append([]*Workload{
		{Name: "hello", Description: "print one line", Script: []byte("print('hello')\n"), Stdout: "hello\n"},
		{
			Name:        "imports",
			Description: "import json, re, typing",
			Script:      []byte("import json, re, typing\nprint(json.dumps(bool(re.match(r'\\w+', 'ok'))))\n"),
			Stdout:      "true\n",
		},
		evalWorkload(),
		{
			Name:        "compute",
			Description: fmt.Sprintf("sum(i*i for i in range(%d))", computeN),
			Script:      fmt.Appendf(nil, "print(sum(i * i for i in range(%d)))\n", computeN),
			Stdout:      fmt.Sprintf("%d\n", sumOfSquares(computeN)),
		},
	}, numpyWorkloads()...)
}

// sumOfSquares returns the sum of i*i for i in [0, n).
func sumOfSquares(n int64) int64 { return (n - 1) * n * (2*n - 1) / 6 }

// evalWorkload builds eval100: a word counter and cases it passes.
func evalWorkload() *Workload {
	code := []byte("import re\n\ndef evaluate(s):\n    return len(re.findall(r'\\w+', s))\n")
	type jsonCase struct {
		Name     string `json:"name"`
		Input    string `json:"input"`
		Expected int    `json:"expected"`
	}
	cases := make([]jsonCase, evalCases)
	for i := range cases {
		n := i % 10
		cases[i] = jsonCase{Name: fmt.Sprintf("words %d", i+1), Input: strings.Repeat("word ", n), Expected: n}
	}
	data, err := json.Marshal(cases)
	if err != nil {
		panic(err) // cannot happen: plain strings and ints
	}
	parsed, err := runtime.ParseCases(data)
	if err != nil {
		panic(fmt.Sprintf("bench: the eval100 cases do not parse: %v", err))
	}
	return &Workload{
		Name:        "eval100",
		Description: fmt.Sprintf("the eval tester on %d cases", evalCases),
		Eval:        &EvalWorkload{Code: code, CasesJSON: data, Cases: parsed},
	}
}

// SelectWorkloads returns the workloads that names lists, in report order;
// no name means all. An unknown or repeated name is an error.
func SelectWorkloads(names []string) ([]*Workload, error) {
	all := Workloads()
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if want[n] {
			return nil, fmt.Errorf("workload %q is listed twice", n)
		}
		want[n] = true
	}
	var out []*Workload
	for _, w := range all {
		if want[w.Name] {
			out = append(out, w)
			delete(want, w.Name)
		}
	}
	for _, n := range names {
		if want[n] {
			return nil, fmt.Errorf("unknown workload %q (have %s)", n, strings.Join(WorkloadNames(), ", "))
		}
	}
	return out, nil
}

// WorkloadNames returns the names of all workloads, in report order.
func WorkloadNames() []string {
	var names []string
	for _, w := range Workloads() {
		names = append(names, w.Name)
	}
	return names
}

// workloadFiles are a workload's files on the host, for the subprocess
// variants.
type workloadFiles struct {
	script string // the program (script workloads)
	driver string // the native eval driver (eval100)
	eval   string // the eval code (eval100)
	cases  string // the cases file (eval100)
}

// writeFiles writes w's files under dir.
func (w *Workload) writeFiles(dir string) (workloadFiles, error) {
	var f workloadFiles
	write := func(name string, data []byte) (string, error) {
		p := filepath.Join(dir, w.Name+"-"+name)
		return p, os.WriteFile(p, data, 0o644)
	}
	var err error
	if w.Eval == nil {
		f.script, err = write("script.py", w.Script)
		return f, err
	}
	for _, x := range []struct {
		path *string
		name string
		data []byte
	}{
		{&f.driver, "driver.py", nativeEvalDriver},
		{&f.eval, "eval.py", w.Eval.Code},
		{&f.cases, "cases.json", w.Eval.CasesJSON},
	} {
		if *x.path, err = write(x.name, x.data); err != nil {
			return f, err
		}
	}
	return f, nil
}
