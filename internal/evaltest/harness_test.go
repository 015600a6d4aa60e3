package evaltest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// harnessRun is the outcome of one run of harness.py under the native python3.
type harnessRun struct {
	script  string // path of the evaluation script
	results []ResultLine
	events  []Event
	other   []string // stdout lines that are not progress lines
	stderr  string
	exit    int
}

func (h *harnessRun) caseResults(t *testing.T) []*CaseResult {
	t.Helper()
	var out []*CaseResult
	for _, r := range h.results {
		if r.Case == nil {
			t.Fatalf("unexpected load error: %+v", r.LoadError)
		}
		out = append(out, r.Case)
	}
	return out
}

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	return p
}

// runHarness writes code and the cases (a cases file in either format) to a
// temporary directory and runs the harness on them from index start.
func runHarness(t *testing.T, code, function, cases string, start int) *harnessRun {
	t.Helper()
	py := python(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "eval_script.py")
	harness := filepath.Join(dir, "harness.py")
	casesPath := filepath.Join(dir, "cases.jsonl")
	resultsPath := filepath.Join(dir, "results.jsonl")
	if err := os.WriteFile(script, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(harness, HarnessSource, 0o644); err != nil {
		t.Fatal(err)
	}
	var norm bytes.Buffer
	err := ReadCases(strings.NewReader(cases), func(_ int, c Case) error {
		norm.Write(c.HarnessJSON())
		norm.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatalf("cases: %v", err)
	}
	if err := os.WriteFile(casesPath, norm.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return execHarness(t, py, harness, script, function, casesPath, resultsPath, start)
}

func execHarness(t *testing.T, py, harness, script, function, casesPath, resultsPath string, start int) *harnessRun {
	t.Helper()
	return execHarnessArgv(t, py, []string{"-I", harness, script, function, casesPath, resultsPath, strconv.Itoa(start)}, script, resultsPath)
}

// execHarnessArgv runs python3 with args (the harness and its arguments,
// possibly wrapped) and collects what the harness reported.
func execHarnessArgv(t *testing.T, py string, args []string, script, resultsPath string) *harnessRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	run := &harnessRun{script: script}
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running harness: %v", err)
		}
		run.exit = ee.ExitCode()
	}
	run.stderr = stderr.String()
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if ev, ok := ParseEvent(sc.Bytes()); ok {
			run.events = append(run.events, ev)
		} else {
			run.other = append(run.other, sc.Text())
		}
	}
	if f, err := os.Open(resultsPath); err == nil {
		defer f.Close()
		if err := ReadResults(f, func(r ResultLine) error {
			run.results = append(run.results, r)
			return nil
		}); err != nil {
			t.Fatalf("results: %v", err)
		}
	}
	return run
}

func wantStatuses(t *testing.T, got []*CaseResult, want ...Status) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i, r := range got {
		if r.Status != want[i] {
			t.Errorf("case %d %q: status %s, want %s (actual %s, error %+v)", i, r.Name, r.Status, want[i], r.Actual, r.Error)
		}
		if r.Index != i {
			t.Errorf("case %d: index %d", i, r.Index)
		}
	}
}

const statusScript = `
def evaluate(x, scale=1):
    if x == "boom":
        raise ValueError("bad input: " + x)
    if x is None:
        return None
    return x * scale
`

func TestHarnessStatuses(t *testing.T) {
	t.Parallel()
	run := runHarness(t, statusScript, "evaluate", `
{"name": "pass", "args": [2], "kwargs": {"scale": 3}, "expected": 6}
{"name": "fail", "args": [2], "expected": 5}
{"name": "error", "args": ["boom"], "expected": 1}
{"name": "no expectation", "input": 7}
{"name": "error without expectation", "input": "boom"}
{"name": "expected null", "input": null, "expected": null}
{"name": "null is not 0", "input": null, "expected": 0}
`, 0)
	if run.exit != 0 {
		t.Fatalf("exit %d: %s", run.exit, run.stderr)
	}
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusFail, StatusError, StatusPass, StatusError, StatusPass, StatusFail)
	if string(rs[0].Actual) != "6" || string(rs[0].Expected) != "6" || rs[0].Error != nil {
		t.Errorf("pass: %+v", rs[0])
	}
	if string(rs[1].Actual) != "2" || string(rs[1].Expected) != "5" || rs[1].Error != nil {
		t.Errorf("fail: %+v", rs[1])
	}
	e := rs[2].Error
	if e == nil || e.Type != "ValueError" || e.Message != "bad input: boom" || rs[2].Actual != nil {
		t.Fatalf("error: %+v", rs[2])
	}
	// The traceback starts at the script, names its file and real line.
	wantTB := "Traceback (most recent call last):\n  File \"" + run.script + "\", line 4, in evaluate\n"
	if !strings.HasPrefix(e.Traceback, wantTB) || strings.Contains(e.Traceback, "harness.py") ||
		!strings.HasSuffix(e.Traceback, "ValueError: bad input: boom\n") {
		t.Errorf("traceback:\n%s", e.Traceback)
	}
	if string(rs[3].Actual) != "7" || rs[3].Expected != nil {
		t.Errorf("no expectation: %+v", rs[3])
	}
	if string(rs[5].Actual) != "null" {
		t.Errorf("expected null: actual %q", rs[5].Actual)
	}
	for _, r := range rs {
		if r.Duration < 0 || r.Duration > 5000 {
			t.Errorf("%s: duration %v ms", r.Name, r.Duration)
		}
	}
	// Progress lines: loaded, then start/done per case, then end.
	var kinds []string
	for _, ev := range run.events {
		kinds = append(kinds, ev.Kind+":"+strconv.Itoa(ev.Index))
	}
	want := "loaded:0"
	for i := range 7 {
		want += " start:" + strconv.Itoa(i) + " done:" + strconv.Itoa(i)
	}
	want += " end:7"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	if run.events[4].Status != StatusFail {
		t.Errorf("done event status = %q", run.events[4].Status)
	}
	if len(run.other) != 0 {
		t.Errorf("stray stdout lines: %q", run.other)
	}
}

func TestHarnessNumbers(t *testing.T) {
	t.Parallel()
	run := runHarness(t, `
def evaluate(x):
    return x
def add(a, b):
    return a + b
`, "evaluate", `
{"name": "True vs 1", "input": true, "expected": 1}
{"name": "1 vs True", "input": 1, "expected": true}
{"name": "False vs 0", "input": false, "expected": 0}
{"name": "1 vs 1.0", "input": 1, "expected": 1.0}
{"name": "1.0 vs 1", "input": 1.0, "expected": 1}
{"name": "within tolerance", "input": 1.0000000001, "expected": 1}
{"name": "outside tolerance", "input": 1.001, "expected": 1}
{"name": "custom tolerance", "input": 1.001, "expected": 1, "tolerance": 0.01}
{"name": "zero tolerance", "input": 1.0000000001, "expected": 1, "tolerance": 0}
{"name": "nested", "input": {"a": [1, 2.0000000001, true]}, "expected": {"a": [1.0, 2, true]}}
{"name": "nested bool", "input": {"a": [1]}, "expected": {"a": [true]}}
{"name": "big ints", "input": 123456789012345678901234567890, "expected": 123456789012345678901234567891}
{"name": "big int vs float", "input": 123456789012345678901234567890, "expected": 1.2345678901234568e29}
{"name": "string vs number", "input": "1", "expected": 1}
{"name": "list length", "input": [1, 2], "expected": [1, 2, 3]}
{"name": "dict keys", "input": {"a": 1}, "expected": {"a": 1, "b": 2}}
`, 0)
	wantStatuses(t, run.caseResults(t),
		StatusFail, StatusFail, StatusFail, StatusPass, StatusPass, StatusPass, StatusFail, StatusPass,
		StatusFail, StatusPass, StatusFail, StatusFail, StatusPass, StatusFail, StatusFail, StatusFail)

	run = runHarness(t, `
def add(a, b):
    return a + b
`, "add", `{"args": [0.1, 0.2], "expected": 0.3}
{"args": [0.1, 0.2], "expected": 0.3, "tolerance": 0}`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusFail)
	if string(rs[0].Actual) != "0.30000000000000004" {
		t.Errorf("actual = %s", rs[0].Actual)
	}
}

func TestHarnessRaises(t *testing.T) {
	t.Parallel()
	run := runHarness(t, `
class Base(Exception):
    pass

class Outer:
    class Inner(Base):
        pass

def evaluate(kind):
    if kind == "key":
        return {}["missing"]
    if kind == "value":
        raise ValueError("nope")
    if kind == "inner":
        raise Outer.Inner("deep")
    if kind == "exit":
        raise SystemExit(3)
    return kind
`, "evaluate", `
{"name": "exact", "input": "key", "raises": "KeyError"}
{"name": "subclass", "input": "key", "raises": "LookupError"}
{"name": "base exception", "input": "key", "raises": "BaseException"}
{"name": "wrong class", "input": "value", "raises": "KeyError"}
{"name": "returned", "input": "ok", "raises": "KeyError"}
{"name": "user class", "input": "inner", "raises": "Base"}
{"name": "qualname", "input": "inner", "raises": "Outer.Inner"}
{"name": "system exit", "input": "exit", "raises": "SystemExit"}
{"name": "system exit unexpected", "input": "exit", "expected": 1}
`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusPass, StatusPass, StatusFail, StatusFail, StatusPass, StatusPass, StatusPass, StatusError)
	if e := rs[3].Error; e == nil || e.Type != "ValueError" || e.Message != "nope" || rs[3].Raises != "KeyError" {
		t.Errorf("wrong class: %+v", rs[3])
	}
	if e := rs[4].Error; e == nil || e.Type != "AssertionError" ||
		e.Message != `expected KeyError to be raised, but the call returned "ok"` || string(rs[4].Actual) != `"ok"` {
		t.Errorf("returned: %+v %+v", rs[4], rs[4].Error)
	}
	if e := rs[8].Error; e == nil || e.Type != "SystemExit" || e.Message != "3" {
		t.Errorf("system exit: %+v", rs[8].Error)
	}
	if rs[0].Error != nil {
		t.Errorf("a pass carries an error: %+v", rs[0].Error)
	}
}

func TestHarnessReturnValues(t *testing.T) {
	t.Parallel()
	run := runHarness(t, `
class Thing:
    pass

def evaluate(kind):
    if kind == "tuple":
        return (1, (2, "x"), [3])
    if kind == "set":
        return {1, 2}
    if kind == "object":
        return Thing()
    if kind == "nan":
        return [1.0, float("nan")]
    if kind == "inf":
        return {"score": float("inf")}
    if kind == "intkey":
        return {1: "a"}
    if kind == "cycle":
        x = []
        x.append(x)
        return x
    if kind == "nested":
        return {"a": [1, {"b": {1, 2}}]}
    if kind == "bigint":
        return 10 ** 5000
    if kind == "bool subclass":
        return True
`, "evaluate", `
{"name": "tuple", "input": "tuple", "expected": [1, [2, "x"], [3]]}
{"name": "set", "input": "set", "expected": [1, 2]}
{"name": "object", "input": "object", "expected": null}
{"name": "nan", "input": "nan", "expected": [1.0, 0]}
{"name": "inf", "input": "inf", "expected": {"score": 0}}
{"name": "int key", "input": "intkey", "expected": {"1": "a"}}
{"name": "cycle", "input": "cycle", "expected": []}
{"name": "nested", "input": "nested", "expected": {}}
{"name": "big int", "input": "bigint", "expected": 1}
{"name": "no expectation", "input": "set"}
{"name": "raises but returned set", "input": "set", "raises": "KeyError"}
`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusPass, StatusFail)
	if string(rs[0].Actual) != `[1,[2,"x"],[3]]` {
		t.Errorf("tuple actual = %s", rs[0].Actual)
	}
	msgs := map[int]string{
		1: "return value of type set is not JSON-serialisable",
		2: "return value of type Thing is not JSON-serialisable",
		3: "return value contains nan at $[1], which JSON cannot represent",
		4: "return value contains inf at $.score, which JSON cannot represent",
		5: "return value has a dict key of type int at $; JSON object keys must be str",
		6: "return value contains a circular reference at $[0]",
		7: "return value of type set is not JSON-serialisable (at $.a[1].b)",
	}
	for i, m := range msgs {
		e := rs[i].Error
		if e == nil || e.Type != "TypeError" || e.Message != m {
			t.Errorf("%s: error %+v, want TypeError %q", rs[i].Name, e, m)
		}
		if rs[i].Actual != nil {
			t.Errorf("%s: actual %s", rs[i].Name, rs[i].Actual)
		}
	}
	if e := rs[8].Error; e == nil || !strings.Contains(e.Message, "cannot be written as JSON") {
		t.Errorf("big int: %+v", e)
	}
	if rs[9].Actual != nil {
		t.Errorf("no expectation: actual %s", rs[9].Actual)
	}
	if e := rs[10].Error; e == nil || e.Message != "expected KeyError to be raised, but the call returned a value of type set" {
		t.Errorf("raises but returned set: %+v", e)
	}
}

func TestHarnessStdoutAndUnicode(t *testing.T) {
	t.Parallel()
	run := runHarness(t, `
print("printed while loading")

def evaluate(text):
    print("in:", text)
    print("second line", end="")
    if text == "flood":
        print("x" * 100000)
    return {"echo": text, "len": len(text), "ключ": "значение ✓"}
`, "evaluate", `
{"name": "héllo ✓", "input": "héllo wörld ✓ 😀", "expected": {"echo": "héllo wörld ✓ 😀", "len": 15, "ключ": "значение ✓"}}
{"name": "quiet", "input": "", "expected": {"echo": "", "len": 0, "ключ": "значение ✓"}}
{"name": "flood", "input": "flood"}
{"name": "surrogate", "input": "\ud800"}
`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass, StatusPass, StatusPass, StatusPass)
	if rs[0].Name != "héllo ✓" || rs[0].Stdout != "in: héllo wörld ✓ 😀\nsecond line" {
		t.Errorf("case 0: name %q stdout %q", rs[0].Name, rs[0].Stdout)
	}
	if rs[1].Stdout != "in: \nsecond line" {
		t.Errorf("case 1 stdout %q", rs[1].Stdout)
	}
	if n := len([]rune(rs[2].Stdout)); n > 66*1024 || !strings.Contains(rs[2].Stdout, "[output truncated: ") {
		t.Errorf("flood stdout: %d runes, tail %q", n, rs[2].Stdout[max(0, len(rs[2].Stdout)-60):])
	}
	if !strings.Contains(run.stderr, "printed while loading") {
		t.Errorf("load-time print went elsewhere; stderr %q, other stdout %q", run.stderr, run.other)
	}
	if len(run.other) != 0 {
		t.Errorf("stray stdout lines: %q", run.other)
	}
}

func TestHarnessLoadErrors(t *testing.T) {
	t.Parallel()
	const cases = `{"input": 1, "expected": 1}`
	tests := []struct {
		name, code, typ, msg, tb string
	}{
		{"syntax error", "def evaluate(x):\n    return (x\n\nx = 1\n", "SyntaxError", "'(' was never closed", "line 2"},
		{"raises at import", "x = 1\nraise RuntimeError('not today')\n", "RuntimeError", "not today", "line 2, in <module>"},
		{"raises in helper", "def helper():\n    return 1 / 0\n\nVALUE = helper()\n", "ZeroDivisionError", "division by zero", "line 2, in helper"},
		{"missing function", "def other(x):\n    return x\n", "AttributeError", "the evaluation code defines no function named 'evaluate'", ""},
		{"not callable", "evaluate = 3\n", "TypeError", "'evaluate' in the evaluation code is not callable (it is of type int)", ""},
		{"exit at import", "exit(4)\n", "SystemExit", "4", "line 1, in <module>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := runHarness(t, tt.code, "evaluate", cases, 0)
			if run.exit != 0 {
				t.Fatalf("exit %d: %s", run.exit, run.stderr)
			}
			if len(run.results) != 1 || run.results[0].LoadError == nil {
				t.Fatalf("results = %+v", run.results)
			}
			le := run.results[0].LoadError
			if le.Type != tt.typ || le.Message != tt.msg && !strings.HasPrefix(le.Message, tt.msg) {
				t.Errorf("load error %s: %q, want %s: %q", le.Type, le.Message, tt.typ, tt.msg)
			}
			if !strings.Contains(le.Traceback, tt.tb) || strings.Contains(le.Traceback, "harness.py") {
				t.Errorf("traceback:\n%s", le.Traceback)
			}
			if tt.tb != "" && !strings.Contains(le.Traceback, run.script) {
				t.Errorf("traceback does not name the script:\n%s", le.Traceback)
			}
			if len(run.events) != 1 || run.events[0].Kind != "load_error" || run.events[0].Error == nil || run.events[0].Error.Type != tt.typ {
				t.Errorf("events = %+v", run.events)
			}
		})
	}
}

func TestHarnessResume(t *testing.T) {
	t.Parallel()
	py := python(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "eval_script.py")
	harness := filepath.Join(dir, "harness.py")
	casesPath := filepath.Join(dir, "cases.jsonl")
	resultsPath := filepath.Join(dir, "results.jsonl")
	os.WriteFile(harness, HarnessSource, 0o644)
	os.WriteFile(script, []byte("def evaluate(x):\n    return x * 2\n"), 0o644)
	var b strings.Builder
	for i := range 5 {
		b.WriteString(`{"name":"c` + strconv.Itoa(i) + `","args":[` + strconv.Itoa(i) + `],"kwargs":{},"tolerance":1e-9,"expected":` + strconv.Itoa(2*i) + "}\n")
	}
	os.WriteFile(casesPath, []byte(b.String()), 0o644)

	// A first run that was killed during case 2 leaves two results and a torn line.
	first := execHarness(t, py, harness, script, "evaluate", casesPath, resultsPath, 0)
	if len(first.results) != 5 {
		t.Fatalf("first run: %d results", len(first.results))
	}
	data, _ := os.ReadFile(resultsPath)
	lines := strings.SplitAfter(string(data), "\n")
	torn := lines[0] + lines[1] + lines[2][:len(lines[2])/2]
	os.WriteFile(resultsPath, []byte(torn), 0o644)

	// The host restarts the harness after the case it gave up on; the
	// harness ends the torn line first and the reader skips it.
	run := execHarness(t, py, harness, script, "evaluate", casesPath, resultsPath, 3)
	var got []int
	for _, r := range run.results {
		got = append(got, r.Case.Index)
	}
	if want := []int{0, 1, 3, 4}; !equalInts(got, want) {
		t.Errorf("indexes %v, want %v", got, want)
	}
	var starts []int
	for _, ev := range run.events {
		if ev.Kind == "start" {
			starts = append(starts, ev.Index)
		}
	}
	if !equalInts(starts, []int{3, 4}) {
		t.Errorf("resumed starts %v", starts)
	}
	// Past the end: nothing to do.
	end := execHarness(t, py, harness, script, "evaluate", casesPath, filepath.Join(dir, "r2.jsonl"), 9)
	if len(end.results) != 0 || len(end.events) != 2 || end.events[1].Kind != "end" || end.events[1].Index != 9 {
		t.Errorf("past the end: %+v %+v", end.results, end.events)
	}
}

func TestHarnessUsage(t *testing.T) {
	t.Parallel()
	py := python(t)
	dir := t.TempDir()
	harness := filepath.Join(dir, "harness.py")
	os.WriteFile(harness, HarnessSource, 0o644)
	for _, args := range [][]string{{}, {"a", "b", "c", "d", "x"}, {"a", "b", filepath.Join(dir, "missing"), filepath.Join(dir, "r"), "0"}} {
		cmd := exec.Command(py, append([]string{harness}, args...)...)
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("args %q: %v, want exit 2", args, err)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The harness writes every result before "done", as valid JSON lines.
func TestHarnessResultLinesAreJSON(t *testing.T) {
	t.Parallel()
	run := runHarness(t, "def evaluate(x):\n    print('\\x00\\x1b[31m')\n    return x\n", "evaluate", `{"input": "\u0000"}`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusPass)
	if rs[0].Stdout != "\x00\x1b[31m\n" {
		t.Errorf("stdout %q", rs[0].Stdout)
	}
	b, err := json.Marshal(rs[0])
	if err != nil || !json.Valid(b) {
		t.Errorf("marshal: %v", err)
	}
}

func TestHarnessDeepValues(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", 3000) + strings.Repeat("]", 3000)
	run := runHarness(t, `
def evaluate(x):
    if x == "deep":
        v = []
        for _ in range(100000):
            v = [v]
        return v
    return x
`, "evaluate", `{"name": "deep input", "input": `+deep+`}
{"name": "deep return", "input": "deep", "expected": []}
{"name": "after", "input": 1, "expected": 1}`, 0)
	rs := run.caseResults(t)
	wantStatuses(t, rs, StatusError, StatusError, StatusPass)
	if e := rs[0].Error; e == nil || e.Type != "CaseError" || !strings.Contains(e.Message, "RecursionError") || rs[0].Name != "case 1" {
		t.Errorf("deep input: %+v %+v", rs[0], e)
	}
	if e := rs[1].Error; e == nil || !strings.Contains(e.Message, "cannot be written as JSON: RecursionError") {
		t.Errorf("deep return: %+v", e)
	}
}
