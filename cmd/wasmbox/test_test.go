package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		t.Run(tc.dir, func(t *testing.T) {
			stdout, stderr, exit := cli(t, "", "test", "--json", "--timeout", "30s",
				"--eval", filepath.Join(examples, tc.dir, "eval.py"), "--cases", filepath.Join(examples, tc.dir, tc.cases))
			var rep struct {
				Success   bool            `json:"success"`
				LoadError *map[string]any `json:"loadError"`
				Cases     []struct {
					Status string `json:"status"`
				} `json:"cases"`
			}
			require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout %s stderr %s", stdout, stderr)
			var got []string
			for _, c := range rep.Cases {
				got = append(got, c.Status)
			}
			assert.Equal(t, tc.exit, exit, "stderr %q", stderr)
			assert.Equal(t, tc.statuses, strings.Join(got, ","))
			assert.False(t, rep.Success)
			if tc.dir == "broken" {
				assert.NotNil(t, rep.LoadError, "no loadError: %s", stdout)
			}
		})
	}
}

// TestTestExamplesReports compares the whole report of each example with the
// one the tester gave before the host judged (testdata/reports, written by
// the harness that compared in the guest), durations aside.
func TestTestExamplesReports(t *testing.T) {
	for _, tc := range []struct{ dir, cases string }{
		{"json_grader", "cases.json"},
		{"keyword_grader", "cases.jsonl"},
		{"broken", "cases.json"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "reports", tc.dir+".json"))
			require.NoError(t, err)
			stdout, stderr, _ := cli(t, "", "test", "--json", "--timeout", "30s",
				"--eval", filepath.Join(examples, tc.dir, "eval.py"), "--cases", filepath.Join(examples, tc.dir, tc.cases))
			var rep map[string]any
			require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout %s stderr %s", stdout, stderr)
			rep["duration"] = 0
			for _, c := range rep["cases"].([]any) {
				c.(map[string]any)["duration"] = 0
			}
			got, err := json.Marshal(rep)
			require.NoError(t, err)
			assert.JSONEq(t, string(want), string(got))
		})
	}
}

func TestTestSummaryAndJUnit(t *testing.T) {
	junit := filepath.Join(t.TempDir(), "report.xml")
	stdout, _, exit := cli(t, "", "test", "--timeout", "30s", "--junit", junit,
		"--eval", filepath.Join(examples, "json_grader", "eval.py"), "--cases", filepath.Join(examples, "json_grader", "cases.json"))
	assert.Equal(t, 1, exit, stdout)
	assert.Contains(t, stdout, "8 cases: 6 passed, 1 failed, 1 error, 0 timed out")
	assert.Contains(t, stdout, "intended failure: wrong expectation")
	data, err := os.ReadFile(junit)
	require.NoError(t, err)
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
	require.NoError(t, xml.Unmarshal(data, &suites), "%s", data)
	require.Len(t, suites.Suites, 1)
	s := suites.Suites[0]
	assert.Equal(t, 8, s.Tests)
	assert.Equal(t, 1, s.Failures)
	assert.Equal(t, 1, s.Errors)
	require.Len(t, s.Cases, 8)
	assert.NotNil(t, s.Cases[6].Failure)
	assert.NotNil(t, s.Cases[7].Error)
}

func TestTestExitCodes(t *testing.T) {
	pass := writeFile(t, "pass.py", "def evaluate(x):\n    return x * 2\n")
	cases := writeFile(t, "cases.json", `[{"input": 2, "expected": 4}, {"args": [1.5], "expected": 3.0}]`)
	t.Run("all pass", func(t *testing.T) {
		stdout, stderr, exit := cli(t, "", "test", "--timeout", "30s", "--eval", pass, "--cases", cases)
		assert.Equal(t, 0, exit, stdout+stderr)
	})
	t.Run("rejected", func(t *testing.T) {
		rejected := writeFile(t, "rejected.py", "import subprocess\ndef evaluate(x):\n    return x\n")
		stdout, _, exit := cli(t, "", "test", "--eval", rejected, "--cases", cases)
		assert.Equal(t, 126, exit, stdout)
		assert.Contains(t, stdout, "subprocess")
	})
	t.Run("bad cases", func(t *testing.T) {
		badCases := writeFile(t, "bad.jsonl", "{\"input\": 1}\n{\"input\": 2, \"expect\": 2}\n")
		_, stderr, exit := cli(t, "", "test", "--eval", pass, "--cases", badCases)
		assert.Equal(t, 2, exit)
		assert.Contains(t, stderr, `case 2`)
		assert.Contains(t, stderr, `"expect"`)
	})
	for name, args := range map[string][]string{
		"no eval":       {"test", "--cases", cases},
		"no cases":      {"test", "--eval", pass},
		"missing cases": {"test", "--eval", pass, "--cases", "/nonexistent.json"},
		"bad function":  {"test", "--eval", pass, "--cases", cases, "--function", "not-an-identifier"},
	} {
		t.Run(name, func(t *testing.T) {
			_, stderr, exit := cli(t, "", args...)
			assert.Equal(t, 2, exit)
			assert.NotEmpty(t, stderr)
		})
	}
}

// TestTestForgedVerdict runs issue 12's reproducer through the CLI: the eval
// code replaces the old harness's comparison and answers wrongly; no case
// may pass.
func TestTestForgedVerdict(t *testing.T) {
	eval := writeFile(t, "forge.py", `import typing
t = [typing][0]
s = t.__dict__["sys"]
h = [s.modules["__main__"]][0]
h.__dict__["_equal"] = lambda actual, expected, tol: True
def evaluate(x):
    return "wrong answer"
`)
	cases := writeFile(t, "cases.json", `[{"input": 1, "expected": 1}, {"input": 2, "expected": 2}, {"input": 3, "expected": 3}]`)
	stdout, stderr, exit := cli(t, "", "test", "--json", "--timeout", "30s", "--eval", eval, "--cases", cases)
	var rep struct {
		Success bool `json:"success"`
		Passed  int  `json:"passed"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &rep), "stdout %s stderr %s", stdout, stderr)
	assert.NotEqual(t, 0, exit)
	assert.Zero(t, rep.Passed)
	assert.False(t, rep.Success)
}
