package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wasmbox/wasmbox/internal/evaltest"
)

func testCases(t testing.TB, jsonl string) []TestCase {
	t.Helper()
	cases, err := evaltest.ParseCases([]byte(jsonl))
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

func newTester(t *testing.T, cfg TesterConfig) *EvalTester {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	tester, err := NewEvalTester(testEngine, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tester
}

func statuses(rep *TestReport) string {
	var s []string
	for _, c := range rep.Cases {
		s = append(s, string(c.Status))
	}
	return strings.Join(s, ",")
}

func TestEvalTesterStatuses(t *testing.T) {
	code := `
import json
def evaluate(x, scale=1):
    print("got", x)
    if x == "boom":
        raise KeyError(x)
    return {"double": x * 2 * scale}
`
	cases := testCases(t, `
{"name": "pass", "args": [2], "expected": {"double": 4}}
{"name": "kwargs", "args": [2], "kwargs": {"scale": 10}, "expected": {"double": 40}}
{"name": "fail", "input": 3, "expected": {"double": 7}}
{"name": "error", "input": "boom", "expected": 1}
{"name": "raises subclass", "input": "boom", "raises": "LookupError"}
{"name": "no expectation", "input": 1}
`)
	rep, err := newTester(t, TesterConfig{}).Test(context.Background(), []byte(code), cases)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "pass,pass,fail,error,pass,pass" {
		t.Fatalf("statuses %s: %+v", got, rep)
	}
	if rep.Passed != 4 || rep.Failed != 1 || rep.Errors != 1 || rep.Success || rep.Total != 6 {
		t.Fatalf("tally: %+v", rep)
	}
	if rep.Cases[0].Stdout != "got 2\n" || string(rep.Cases[2].Actual) != `{"double":6}` {
		t.Fatalf("case details: %+v", rep.Cases[:3])
	}
	if e := rep.Cases[3].Error; e == nil || e.Type != "KeyError" || !strings.Contains(e.Traceback, `/tmp/eval_script.py", line 6`) {
		t.Fatalf("error details: %+v", rep.Cases[3].Error)
	}
}

func TestEvalTesterTimeoutThenResume(t *testing.T) {
	code := `
def evaluate(x):
    if x == "spin":
        while True:
            pass
    return x
`
	cases := testCases(t, `[{"input": 1, "expected": 1}, {"name": "spins", "input": "spin"}, {"input": 3, "expected": 3}, {"input": 4, "expected": 4}]`)
	start := time.Now()
	rep, err := newTester(t, TesterConfig{Timeout: 500 * time.Millisecond}).Test(context.Background(), []byte(code), cases)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "pass,timeout,pass,pass" || rep.TimedOut != 1 {
		t.Fatalf("statuses %s: %+v", got, rep)
	}
	if rep.Cases[1].Name != "spins" || rep.Cases[1].Duration < 500 {
		t.Fatalf("timeout case: %+v", rep.Cases[1])
	}
	if took := time.Since(start); took > 20*time.Second {
		t.Fatalf("took %v", took)
	}
}

func TestEvalTesterMemoryThenResume(t *testing.T) {
	code := `
def evaluate(x):
    if x == "hog":
        hoard = []
        while True:
            hoard.append(bytearray(1 << 20))
    return x
`
	cases := testCases(t, `[{"input": "hog"}, {"input": 2, "expected": 2}]`)
	rep, err := newTester(t, TesterConfig{MemoryLimit: 48 << 20}).Test(context.Background(), []byte(code), cases)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(rep); got != "error,pass" {
		t.Fatalf("statuses %s: %+v", got, rep)
	}
	if e := rep.Cases[0].Error; e == nil || e.Type != "MemoryError" {
		t.Fatalf("error: %+v", rep.Cases[0].Error)
	}
}

func TestEvalTesterLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct{ code, typ string }{
		"syntax":       {"def evaluate(:\n", "SyntaxError"},
		"raises":       {"raise RuntimeError('at import')\n", "RuntimeError"},
		"missing":      {"def other(x): return x\n", "AttributeError"},
		"not callable": {"evaluate = 3\n", "TypeError"},
	} {
		rep, err := newTester(t, TesterConfig{}).Test(context.Background(), []byte(tc.code), testCases(t, `[{"input": 1}]`))
		if err != nil {
			t.Fatal(err)
		}
		if rep.LoadError == nil || rep.LoadError.Type != tc.typ || len(rep.Cases) != 0 || rep.Success {
			t.Errorf("%s: %+v %+v", name, rep, rep.LoadError)
		}
	}
}

func TestEvalTesterRejectsByPolicy(t *testing.T) {
	rep, err := newTester(t, TesterConfig{}).Test(context.Background(), []byte("import os\ndef evaluate(x): return x\n"), testCases(t, `[{"input": 1}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Violations) != 1 || rep.Violations[0].Name != "os" || len(rep.Cases) != 0 || rep.Success {
		t.Fatalf("got %+v", rep)
	}
}
