package evaltest

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteSummary(t *testing.T) {
	rep := sampleReport()
	var b bytes.Buffer
	require.NoError(t, WriteSummary(&b, rep))
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
	assert.Equal(t, want, b.String())
	for _, l := range strings.Split(b.String(), "\n") {
		assert.LessOrEqual(t, len([]rune(l)), 100, "line %q", l)
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
	require.NoError(t, WriteSummary(&b, rep))
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
	assert.Equal(t, want, b.String())
}
