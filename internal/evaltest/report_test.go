package evaltest

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	require.Equal(t, [5]int{4, 1, 1, 1, 1}, [5]int{rep.Total, rep.Passed, rep.Failed, rep.Errors, rep.TimedOut}, "total, passed, failed, errors, timed out")
	require.False(t, rep.Success)
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "cases,duration,errors,failed,function,loadError,passed,success,timedOut,total,violations", keysOf(m))
	assert.Equal(t, []any{}, m["violations"])
	assert.Contains(t, m, "loadError")
	assert.Nil(t, m["loadError"])
	assert.Equal(t, 812.4, m["duration"])
	assert.Equal(t, 1.0, m["timedOut"])
	assert.Equal(t, "evaluate", m["function"])
	assert.Equal(t, false, m["success"])
	cs := m["cases"].([]any)
	wantKeys := []string{
		"actual,duration,expected,name,status,stdout",
		"actual,duration,expected,name,status,stdout",
		"duration,error,expected,name,status,stdout",
		"duration,error,expected,name,status,stdout",
	}
	for i, c := range cs {
		assert.Equal(t, wantKeys[i], keysOf(c.(map[string]any)), "case %d keys", i)
	}
	c3 := cs[3].(map[string]any)
	assert.Equal(t, "timeout", c3["status"])
	assert.Equal(t, 5001.0, c3["duration"])
	assert.Equal(t, "", c3["stdout"])
	e := c3["error"].(map[string]any)
	assert.Equal(t, "message,traceback,type", keysOf(e))
	assert.Equal(t, "Timeout", e["type"])
	assert.Equal(t, "the case did not finish within 5s", e["message"])

	// An empty report still has arrays.
	empty := &Report{Function: "f", LoadError: &ErrorInfo{Type: "SyntaxError", Message: "x"}}
	empty.Tally()
	b, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"violations":[]`)
	assert.Contains(t, string(b), `"cases":[]`)
	assert.Contains(t, string(b), `"loadError":{"type":"SyntaxError","message":"x","traceback":""}`)
	assert.False(t, empty.Success)
	// expected: null survives as a real expectation.
	nullCase := mustParseCases(`[{"expected": null}]`)[0]
	b, err = json.Marshal(TimeoutResult(0, &nullCase, time.Second, time.Second))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"expected":null`)
}

func TestTally(t *testing.T) {
	rep := &Report{Cases: []CaseResult{{Status: StatusPass}, {Status: StatusPass}}}
	rep.Tally()
	assert.True(t, rep.Success, "all passed")
	assert.Equal(t, 2, rep.Total)
	assert.Equal(t, 2, rep.Passed)
	rep.Violations = []Violation{{Rule: "no-import", Message: "m", Line: 1, Col: 1}}
	rep.Tally()
	assert.False(t, rep.Success, "success despite a violation")
	rep = &Report{}
	rep.Tally()
	assert.True(t, rep.Success, "empty")
	assert.Zero(t, rep.Total)
}
