package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examples is the repository's examples folder.
var examples = filepath.Join("..", "..", "examples")

func TestTestExamplesStatuses(t *testing.T) {
	for _, tc := range []struct {
		dir, cases string
		exit       int
		statuses   string
	}{
		{"json_grader", "cases.json", 1, "pass,pass,pass,pass,pass,pass,fail,error"},
		{"keyword_grader", "cases.jsonl", 1, "pass,pass,pass,pass,fail,pass"},
		{"broken", "cases.json", 1, ""},
	} {
		stdout, stderr, exit := cli(t, "", "test", "--json", "--timeout", "30s",
			"--eval", filepath.Join(examples, tc.dir, "eval.py"), "--cases", filepath.Join(examples, tc.dir, tc.cases))
		var rep struct {
			Success   bool            `json:"success"`
			LoadError *map[string]any `json:"loadError"`
			Cases     []struct {
				Status string `json:"status"`
			} `json:"cases"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%s: %v: %s %s", tc.dir, err, stdout, stderr)
		}
		var got []string
		for _, c := range rep.Cases {
			got = append(got, c.Status)
		}
		if exit != tc.exit || strings.Join(got, ",") != tc.statuses || rep.Success {
			t.Errorf("%s: exit %d statuses %v stderr %q", tc.dir, exit, got, stderr)
		}
		if tc.dir == "broken" && rep.LoadError == nil {
			t.Errorf("broken: no loadError: %s", stdout)
		}
	}
}

func TestTestSummaryAndJUnit(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "report.xml")
	stdout, _, exit := cli(t, "", "test", "--timeout", "30s", "--junit", junit,
		"--eval", filepath.Join(examples, "json_grader", "eval.py"), "--cases", filepath.Join(examples, "json_grader", "cases.json"))
	if exit != 1 || !strings.Contains(stdout, "8 cases: 6 passed, 1 failed, 1 error, 0 timed out") || !strings.Contains(stdout, "intended failure: wrong expectation") {
		t.Fatalf("exit %d summary:\n%s", exit, stdout)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Errors   int `xml:"errors,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Error   *struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("%v:\n%s", err, data)
	}
	s := suites.Suites[0]
	if s.Tests != 8 || s.Failures != 1 || s.Errors != 1 || s.Cases[6].Failure == nil || s.Cases[7].Error == nil {
		t.Fatalf("junit: %+v", s)
	}
}

func TestTestExitCodes(t *testing.T) {
	pass := writeFile(t, "pass.py", "def evaluate(x):\n    return x * 2\n")
	cases := writeFile(t, "cases.json", `[{"input": 2, "expected": 4}, {"args": [1.5], "expected": 3.0}]`)
	if stdout, stderr, exit := cli(t, "", "test", "--timeout", "30s", "--eval", pass, "--cases", cases); exit != 0 {
		t.Fatalf("all pass: exit %d\n%s%s", exit, stdout, stderr)
	}
	rejected := writeFile(t, "rejected.py", "import subprocess\ndef evaluate(x):\n    return x\n")
	if stdout, _, exit := cli(t, "", "test", "--eval", rejected, "--cases", cases); exit != 126 || !strings.Contains(stdout, "subprocess") {
		t.Fatalf("rejected: exit %d\n%s", exit, stdout)
	}
	badCases := writeFile(t, "bad.jsonl", "{\"input\": 1}\n{\"input\": 2, \"expect\": 2}\n")
	if _, stderr, exit := cli(t, "", "test", "--eval", pass, "--cases", badCases); exit != 2 || !strings.Contains(stderr, `case 2`) || !strings.Contains(stderr, `"expect"`) {
		t.Fatalf("bad cases: exit %d stderr %q", exit, stderr)
	}
	for _, args := range [][]string{{"test", "--cases", cases}, {"test", "--eval", pass}, {"test", "--eval", pass, "--cases", "/nonexistent.json"}, {"test", "--eval", pass, "--cases", cases, "--function", "not-an-identifier"}} {
		if _, stderr, exit := cli(t, "", args...); exit != 2 || stderr == "" {
			t.Errorf("%q: exit %d stderr %q", args, exit, stderr)
		}
	}
}
