package bench

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestSelectWorkloads(t *testing.T) {
	all := []string{"hello", "imports", "eval100", "compute"}
	if got := WorkloadNames(); !slices.Equal(got, all) {
		t.Fatalf("WorkloadNames() = %v", got)
	}
	names := func(ws []*Workload) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Name)
		}
		return out
	}
	ws, err := SelectWorkloads(nil)
	if err != nil || !slices.Equal(names(ws), all) {
		t.Fatalf("all: %v %v", names(ws), err)
	}
	// Report order, whatever the order asked for.
	ws, err = SelectWorkloads([]string{"compute", "hello"})
	if err != nil || !slices.Equal(names(ws), []string{"hello", "compute"}) {
		t.Fatalf("compute,hello: %v %v", names(ws), err)
	}
	for _, bad := range [][]string{{"hello", "nope"}, {"hello", "hello"}} {
		if _, err := SelectWorkloads(bad); err == nil || !strings.Contains(err.Error(), bad[1]) {
			t.Errorf("%v: error %v does not name %q", bad, err, bad[1])
		}
	}
}

func TestWorkloadsAreWellFormed(t *testing.T) {
	var sum int64
	for i := range int64(computeN) {
		sum += i * i
	}
	if sumOfSquares(computeN) != sum {
		t.Fatalf("sumOfSquares(%d) = %d, want %d", computeN, sumOfSquares(computeN), sum)
	}
	for _, w := range Workloads() {
		switch {
		case w.Eval == nil && (len(w.Script) == 0 || w.Stdout == ""):
			t.Errorf("%s: no script or no expected output", w.Name)
		case w.Eval != nil && len(w.Eval.Cases) != evalCases:
			t.Errorf("%s: %d cases, want %d", w.Name, len(w.Eval.Cases), evalCases)
		}
	}
}

// The native variant runs every workload correctly with the host's python3.
func TestNativeVariant(t *testing.T) {
	ctx := context.Background()
	py, err := FindPython(ctx, "")
	if err != nil {
		t.Skipf("no python3: %v", err)
	}
	if !strings.HasPrefix(py.Version, "3.") || py.Path == "" {
		t.Fatalf("FindPython = %+v", py)
	}
	dir := t.TempDir()
	v := nativeVariant{python: py.Path}
	for _, w := range Workloads() {
		if w.files, err = w.writeFiles(dir); err != nil {
			t.Fatal(err)
		}
		run, err := v.Prepare(ctx, w)
		if err != nil {
			t.Fatal(err)
		}
		if err := run(ctx); err != nil {
			t.Errorf("%s: %v", w.Name, err)
		}
	}
	// A wrong answer is an error, not a sample.
	bad := &Workload{Name: "bad", Script: []byte("print('hi')\n"), Stdout: "bye\n"}
	if bad.files, err = bad.writeFiles(dir); err != nil {
		t.Fatal(err)
	}
	run, _ := v.Prepare(ctx, bad)
	if err := run(ctx); err == nil || !strings.Contains(err.Error(), `printed "hi\n", want "bye\n"`) {
		t.Errorf("wrong output: %v", err)
	}
	bad.Script = []byte("raise ValueError('boom')\n")
	if bad.files, err = bad.writeFiles(dir); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx); err == nil || !strings.Contains(err.Error(), "exit status 1: ValueError: boom") {
		t.Errorf("failing run: %v", err)
	}
}

func TestFindPythonMissing(t *testing.T) {
	if _, err := FindPython(context.Background(), "no-such-python-wasmbox"); err == nil {
		t.Fatal("found a python that does not exist")
	}
}
