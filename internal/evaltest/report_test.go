package evaltest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"sort"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

// sampleReport has one case of each status.
func sampleReport() *Report {
	cases := mustParseCases(`[
  {"name": "adds", "args": [1, 2], "expected": 3},
  {"name": "scores", "input": "x", "expected": {"score": 0.5, "labels": ["a", "b"], "ok": true}},
  {"name": "explodes", "input": "boom", "expected": 1},
  {"name": "slow", "input": "slow", "expected": 1}
]`)
	rep := &Report{Function: "evaluate", Duration: 812.4}
	rep.Cases = []CaseResult{
		{Name: "adds", Status: StatusPass, Expected: cases[0].Expected, Actual: json.RawMessage("3"), Duration: 1.2, Stdout: "hi\n"},
		{Name: "scores", Status: StatusFail, Expected: cases[1].Expected,
			Actual: json.RawMessage(`{"score":0.75,"labels":["a","c"],"extra":1,"ok":true}`), Duration: 0.3, Index: 1},
		{Name: "explodes", Status: StatusError, Expected: cases[2].Expected, Duration: 0.1, Index: 2,
			Error: &ErrorInfo{Type: "ValueError", Message: "bad input\nmore detail",
				Traceback: "Traceback (most recent call last):\n  File \"/tmp/eval_script.py\", line 7, in evaluate\n    raise ValueError(x)\nValueError: bad input\nmore detail\n"}},
		TimeoutResult(3, &cases[3], 5*time.Second, 5001*time.Millisecond),
	}
	rep.Tally()
	return rep
}

func mustParseCases(src string) []Case {
	cs, err := ParseCases([]byte(src))
	if err != nil {
		panic(err)
	}
	return cs
}

func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

func TestReportJSONShape(t *testing.T) {
	rep := sampleReport()
	if rep.Total != 4 || rep.Passed != 1 || rep.Failed != 1 || rep.Errors != 1 || rep.TimedOut != 1 || rep.Success {
		t.Fatalf("tally: %+v", rep)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if got, want := keysOf(m), "cases,duration,errors,failed,function,loadError,passed,success,timedOut,total,violations"; got != want {
		t.Errorf("report keys %s, want %s", got, want)
	}
	if v, ok := m["violations"].([]any); !ok || len(v) != 0 {
		t.Errorf("violations = %#v, want []", m["violations"])
	}
	if v, ok := m["loadError"]; !ok || v != nil {
		t.Errorf("loadError = %#v, want null", v)
	}
	if m["duration"] != 812.4 || m["timedOut"] != 1.0 || m["function"] != "evaluate" || m["success"] != false {
		t.Errorf("report = %s", b)
	}
	cs := m["cases"].([]any)
	wantKeys := []string{
		"actual,duration,expected,name,status,stdout",
		"actual,duration,expected,name,status,stdout",
		"duration,error,expected,name,status,stdout",
		"duration,error,expected,name,status,stdout",
	}
	for i, c := range cs {
		cm := c.(map[string]any)
		if got := keysOf(cm); got != wantKeys[i] {
			t.Errorf("case %d keys %s, want %s", i, got, wantKeys[i])
		}
	}
	c3 := cs[3].(map[string]any)
	if c3["status"] != "timeout" || c3["duration"] != 5001.0 || c3["stdout"] != "" {
		t.Errorf("timeout case = %v", c3)
	}
	if e := c3["error"].(map[string]any); keysOf(e) != "message,traceback,type" || e["type"] != "Timeout" || e["message"] != "the case did not finish within 5s" {
		t.Errorf("timeout error = %v", e)
	}

	// An empty report still has arrays.
	empty := &Report{Function: "f", LoadError: &ErrorInfo{Type: "SyntaxError", Message: "x"}}
	empty.Tally()
	b, _ = json.Marshal(empty)
	if !bytes.Contains(b, []byte(`"violations":[]`)) || !bytes.Contains(b, []byte(`"cases":[]`)) ||
		!bytes.Contains(b, []byte(`"loadError":{"type":"SyntaxError","message":"x","traceback":""}`)) || empty.Success {
		t.Errorf("empty report = %s", b)
	}
	// expected: null survives as a real expectation.
	nullCase := mustParseCases(`[{"expected": null}]`)[0]
	b, _ = json.Marshal(TimeoutResult(0, &nullCase, time.Second, time.Second))
	if !bytes.Contains(b, []byte(`"expected":null`)) {
		t.Errorf("null expectation lost: %s", b)
	}
}

func TestTally(t *testing.T) {
	rep := &Report{Cases: []CaseResult{{Status: StatusPass}, {Status: StatusPass}}}
	rep.Tally()
	if !rep.Success || rep.Total != 2 || rep.Passed != 2 {
		t.Errorf("all passed: %+v", rep)
	}
	rep.Violations = []Violation{{Rule: "no-import", Message: "m", Line: 1, Col: 1}}
	rep.Tally()
	if rep.Success {
		t.Error("success despite a violation")
	}
	rep = &Report{}
	rep.Tally()
	if !rep.Success || rep.Total != 0 {
		t.Errorf("empty: %+v", rep)
	}
}

func TestDiffJSON(t *testing.T) {
	tests := []struct {
		e, a string
		tol  float64
		want string
	}{
		{`1`, `1.0`, 1e-9, ``},
		{`1`, `true`, 1e-9, `$: expected 1, got boolean true`},
		{`0.3`, `0.30000000000000004`, 1e-9, ``},
		{`0.3`, `0.30000000000000004`, 0, `$: expected 0.3, got 0.30000000000000004`},
		{`123456789012345678901234567890`, `123456789012345678901234567891`, 1e-9, `$: expected 123456789012345678901234567890, got 123456789012345678901234567891`},
		{`{"a": 1, "b": [1, 2], "c d": null}`, `{"a": 1, "b": [1, 3, 4], "e": "x"}`, 1e-9,
			`$.b: expected 2 items, got 3 | $.b[1]: expected 2, got 3 | $["c d"]: missing, expected null | $.e: unexpected key, got "x"`},
		{`[{"x": "s"}]`, `[{"x": 5}]`, 1e-9, `$[0].x: expected "s", got number 5`},
		{`{"a": 1}`, `[1]`, 1e-9, `$: expected an object, got array [1]`},
		{`null`, `0`, 1e-9, `$: expected null, got number 0`},
	}
	for _, tt := range tests {
		var parts []string
		for _, d := range diffJSON(json.RawMessage(tt.e), json.RawMessage(tt.a), tt.tol, 10) {
			parts = append(parts, d.String())
		}
		if got := strings.Join(parts, " | "); got != tt.want {
			t.Errorf("diff(%s, %s):\n got %s\nwant %s", tt.e, tt.a, got, tt.want)
		}
	}
}

func TestWriteSummary(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	if err := WriteSummary(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := `PASS     adds        1.20 ms
FAIL     scores      0.30 ms
         expected {"score":0.5,"labels":["a","b"],"ok":tr…, got {"score":0.75,"labels":["a","c"],"e…
         3 differences: $.extra: unexpected key, got 1; $.labels[1]: expected "b", got string "c"; …
ERROR    explodes    0.10 ms
         ValueError: bad input (line 7, in evaluate)
TIMEOUT  slow        5001 ms
         Timeout: the case did not finish within 5s

4 cases: 1 passed, 1 failed, 1 error, 1 timed out (812 ms)
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
	for _, l := range strings.Split(b.String(), "\n") {
		if n := len([]rune(l)); n > 100 {
			t.Errorf("line of %d runes: %q", n, l)
		}
	}

	// Raises failures, a load error and violations.
	rep = &Report{Function: "evaluate", Duration: 3,
		Violations: []Violation{{Rule: "no-import", Name: "os", Message: "import of os is not allowed", Line: 2, Col: 1}},
		LoadError: &ErrorInfo{Type: "SyntaxError", Message: "'(' was never closed (eval_script.py, line 2)",
			Traceback: "  File \"/tmp/eval_script.py\", line 2\n    return (x\n           ^\nSyntaxError: '(' was never closed\n"},
	}
	rep.Cases = []CaseResult{
		{Name: "wrong\nexception", Status: StatusFail, Raises: "KeyError", Error: &ErrorInfo{Type: "ValueError", Message: "v"}},
		{Name: "returned", Status: StatusFail, Raises: "KeyError", Actual: json.RawMessage("1"),
			Error: &ErrorInfo{Type: "AssertionError", Message: "expected KeyError to be raised, but the call returned 1"}},
		{Name: "scalar", Status: StatusFail, Expected: json.RawMessage("2"), Actual: json.RawMessage(`"2"`)},
	}
	rep.Tally()
	b.Reset()
	WriteSummary(&b, rep)
	want = `VIOLATION  no-import  line 2:1  import of os is not allowed
LOAD ERROR  SyntaxError: '(' was never closed (eval_script.py, line 2)
      File "/tmp/eval_script.py", line 2
        return (x
               ^
    SyntaxError: '(' was never closed
FAIL     wrong exception    0.00 ms
         expected KeyError to be raised, got ValueError: v
FAIL     returned           0.00 ms
         expected KeyError to be raised, but the call returned 1
FAIL     scalar             0.00 ms
         expected 2, got string "2"

3 cases: 0 passed, 3 failed, 0 errors, 0 timed out (3.00 ms)
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
}

// junit mirrors the JUnit XML for reading it back.
type junit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Classname string `xml:"classname,attr"`
			Name      string `xml:"name,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Body    string `xml:",chardata"`
			} `xml:"error"`
			SystemOut *string `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestWriteJUnit(t *testing.T) {
	rep := sampleReport()
	rep.Cases[0].Stdout = "hi <there> & \x00\x1b[0m\n"
	var b bytes.Buffer
	if err := WriteJUnit(&b, rep, "evals"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML header: %.60s", b.String())
	}
	var j junit
	if err := xml.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if j.Tests != 4 || j.Failures != 1 || j.Errors != 2 || j.Time != "0.812" || len(j.Suites) != 1 {
		t.Fatalf("testsuites = %+v", j)
	}
	s := j.Suites[0]
	if s.Name != "evals" || s.Tests != 4 || s.Failures != 1 || s.Errors != 2 || s.Skipped != 0 || s.Time != "0.812" || len(s.Cases) != 4 {
		t.Fatalf("testsuite = %+v", s)
	}
	c := s.Cases[0]
	if c.Name != "adds" || c.Classname != "evals" || c.Time != "0.001" || c.Failure != nil || c.Error != nil ||
		c.SystemOut == nil || *c.SystemOut != "hi <there> & \uFFFD\uFFFD[0m\n" {
		t.Errorf("pass = %+v", c)
	}
	c = s.Cases[1]
	if c.Failure == nil || c.Error != nil || c.Failure.Type != "fail" ||
		!strings.HasPrefix(c.Failure.Message, `expected {"score":0.5,`) ||
		!strings.Contains(c.Failure.Body, "expected:\n{\n  \"score\": 0.5,") ||
		!strings.Contains(c.Failure.Body, "actual:\n{\n  \"score\": 0.75,") ||
		!strings.Contains(c.Failure.Body, "  $.score: expected 0.5, got 0.75\n") || c.SystemOut != nil {
		t.Errorf("fail = %+v", c.Failure)
	}
	c = s.Cases[2]
	if c.Error == nil || c.Error.Type != "ValueError" || c.Error.Message != "bad input" || !strings.Contains(c.Error.Body, "line 7, in evaluate") {
		t.Errorf("error = %+v", c.Error)
	}
	c = s.Cases[3]
	if c.Error == nil || c.Error.Type != "Timeout" || c.Time != "5.001" || c.Error.Message != "the case did not finish within 5s" {
		t.Errorf("timeout = %+v", c.Error)
	}

	// A load error and violations become test cases, so CI does not go green.
	rep = &Report{Function: "evaluate",
		Violations: []Violation{{Rule: "no-import", Name: "os", Message: "import of os is not allowed", Line: 2, Col: 1}},
		LoadError:  &ErrorInfo{Type: "SyntaxError", Message: "invalid syntax", Traceback: "  File \"x\", line 1\nSyntaxError: invalid syntax\n"},
	}
	rep.Tally()
	b.Reset()
	if err := WriteJUnit(&b, rep, ""); err != nil {
		t.Fatal(err)
	}
	j = junit{}
	if err := xml.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	s = j.Suites[0]
	if s.Name != "wasmbox.evaluate" || s.Tests != 2 || s.Failures != 1 || s.Errors != 1 {
		t.Fatalf("suite = %+v", s)
	}
	if c := s.Cases[0]; c.Failure == nil || c.Failure.Type != "no-import" || c.Name != "violation: no-import (line 2, column 1)" {
		t.Errorf("violation = %+v", c)
	}
	if c := s.Cases[1]; c.Error == nil || c.Error.Type != "SyntaxError" || c.Name != "load evaluate" || !strings.Contains(c.Error.Body, "SyntaxError: invalid syntax") {
		t.Errorf("load error = %+v", c)
	}
}
