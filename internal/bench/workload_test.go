package bench

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelectWorkloads(t *testing.T) {
	all := []string{"hello", "imports", "eval100", "compute", "numpy-import", "numpy-matmul", "numpy-sort", "numpy-fft"}
	require.Equal(t, all, WorkloadNames())
	names := func(ws []*Workload) []string {
		var out []string
		for _, w := range ws {
			out = append(out, w.Name)
		}
		return out
	}
	ws, err := SelectWorkloads(nil)
	require.NoError(t, err)
	assert.Equal(t, all, names(ws), "all")
	// Report order, whatever the order asked for.
	ws, err = SelectWorkloads([]string{"compute", "hello"})
	require.NoError(t, err)
	assert.Equal(t, []string{"hello", "compute"}, names(ws), "compute,hello")
	for _, bad := range [][]string{{"hello", "nope"}, {"hello", "hello"}} {
		t.Run(strings.Join(bad, ","), func(t *testing.T) {
			_, err := SelectWorkloads(bad)
			assert.ErrorContains(t, err, bad[1], "the error names the bad workload")
		})
	}
}

func TestWorkloadsAreWellFormed(t *testing.T) {
	var sum int64
	for i := range int64(computeN) {
		sum += i * i
	}
	require.Equal(t, sum, sumOfSquares(computeN), "sumOfSquares(%d)", computeN)
	for _, w := range Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			if w.Eval == nil {
				assert.NotEmpty(t, w.Script, "script")
				assert.NotEmpty(t, w.Stdout, "expected output")
			} else {
				assert.Len(t, w.Eval.Cases, evalCases)
			}
		})
	}
}

// The native variant runs every workload correctly with the host's python3.
func TestNativeVariant(t *testing.T) {
	ctx := context.Background()
	py, err := FindPython(ctx, "")
	if err != nil {
		t.Skipf("no python3: %v", err)
	}
	require.True(t, strings.HasPrefix(py.Version, "3."), "FindPython = %+v", py)
	require.NotEmpty(t, py.Path, "FindPython = %+v", py)
	dir := t.TempDir()
	v := nativeVariant{python: py.Path}
	probe := newModuleProbe(nil, py)
	for _, w := range Workloads() {
		t.Run(w.Name, func(t *testing.T) {
			skips, err := probe.skips(ctx, w, []Variant{v})
			require.NoError(t, err)
			if reason := skips[NativeName]; reason != "" {
				t.Skip(reason)
			}
			w.files, err = w.writeFiles(dir)
			require.NoError(t, err)
			run, err := v.Prepare(ctx, w)
			require.NoError(t, err)
			assert.NoError(t, run(ctx))
		})
	}
	// A wrong answer is an error, not a sample.
	bad := &Workload{Name: "bad", Script: []byte("print('hi')\n"), Stdout: "bye\n"}
	bad.files, err = bad.writeFiles(dir)
	require.NoError(t, err)
	run, err := v.Prepare(ctx, bad)
	require.NoError(t, err)
	assert.ErrorContains(t, run(ctx), `printed "hi\n", want "bye\n"`, "wrong output")
	bad.Script = []byte("raise ValueError('boom')\n")
	bad.files, err = bad.writeFiles(dir)
	require.NoError(t, err)
	assert.ErrorContains(t, run(ctx), "exit status 1: ValueError: boom", "failing run")
}

func TestFindPythonMissing(t *testing.T) {
	_, err := FindPython(context.Background(), "no-such-python-wasmbox")
	assert.Error(t, err, "found a python that does not exist")
}
