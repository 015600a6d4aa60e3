package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/validate"
)

func testCases(t testing.TB, jsonl string) []TestCase {
	t.Helper()
	cases, err := ParseCases([]byte(jsonl))
	require.NoError(t, err)
	return cases
}

func newTester(t *testing.T, cfg TesterConfig) *EvalTester {
	t.Helper()
	if cfg.Timeout == 0 {
		cfg.Timeout = testTimeout
	}
	tester, err := NewEvalTester(testEngine, cfg)
	require.NoError(t, err)
	return tester
}

func statuses(rep *TestReport) string {
	var s []string
	for _, c := range rep.Cases {
		s = append(s, string(c.Status))
	}
	return strings.Join(s, ",")
}

// testEval runs code against cases with cfg and returns the report.
func testEval(t *testing.T, cfg TesterConfig, code, cases string) *TestReport {
	t.Helper()
	rep, err := newTester(t, cfg).Test(context.Background(), []byte(code), testCases(t, cases))
	require.NoError(t, err)
	return rep
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
	rep := testEval(t, TesterConfig{}, code, `
{"name": "pass", "args": [2], "expected": {"double": 4}}
{"name": "kwargs", "args": [2], "kwargs": {"scale": 10}, "expected": {"double": 40}}
{"name": "fail", "input": 3, "expected": {"double": 7}}
{"name": "error", "input": "boom", "expected": 1}
{"name": "raises subclass", "input": "boom", "raises": "LookupError"}
{"name": "no expectation", "input": 1}
`)
	require.Equal(t, "pass,pass,fail,error,pass,pass", statuses(rep), "%+v", rep)
	assert.Equal(t, 6, rep.Total)
	assert.Equal(t, 4, rep.Passed)
	assert.Equal(t, 1, rep.Failed)
	assert.Equal(t, 1, rep.Errors)
	assert.False(t, rep.Success)
	assert.Equal(t, "got 2\n", rep.Cases[0].Stdout)
	assert.Equal(t, `{"double":6}`, string(rep.Cases[2].Actual))
	e := rep.Cases[3].Error
	require.NotNil(t, e)
	assert.Equal(t, "KeyError", e.Type)
	assert.Contains(t, e.Traceback, `/tmp/eval_script.py", line 6`)
}

func TestEvalTesterTimeoutThenResume(t *testing.T) {
	code := `
def evaluate(x):
    if x == "spin":
        while True:
            pass
    return x
`
	rep := testEval(t, TesterConfig{Timeout: 500 * time.Millisecond}, code,
		`[{"input": 1, "expected": 1}, {"name": "spins", "input": "spin"}, {"input": 3, "expected": 3}, {"input": 4, "expected": 4}]`)
	require.Equal(t, "pass,timeout,pass,pass", statuses(rep))
	assert.Equal(t, 1, rep.TimedOut)
	assert.Equal(t, "spins", rep.Cases[1].Name)
	assert.GreaterOrEqual(t, rep.Cases[1].Duration, 500.0)
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
	rep := testEval(t, TesterConfig{MemoryLimit: 48 << 20}, code, `[{"input": "hog"}, {"input": 2, "expected": 2}]`)
	require.Equal(t, "error,pass", statuses(rep))
	require.NotNil(t, rep.Cases[0].Error)
	assert.Equal(t, "MemoryError", rep.Cases[0].Error.Type)
}

func TestEvalTesterLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct{ code, typ string }{
		"syntax":       {"def evaluate(:\n", "SyntaxError"},
		"raises":       {"raise RuntimeError('at import')\n", "RuntimeError"},
		"missing":      {"def other(x): return x\n", "AttributeError"},
		"not callable": {"evaluate = 3\n", "TypeError"},
	} {
		t.Run(name, func(t *testing.T) {
			rep := testEval(t, TesterConfig{}, tc.code, `[{"input": 1}]`)
			require.NotNil(t, rep.LoadError)
			assert.Equal(t, tc.typ, rep.LoadError.Type)
			assert.Empty(t, rep.Cases)
			assert.False(t, rep.Success)
		})
	}
}

func TestEvalTesterRejectsByPolicy(t *testing.T) {
	rep := testEval(t, TesterConfig{}, "import os\ndef evaluate(x): return x\n", `[{"input": 1}]`)
	require.Len(t, rep.Violations, 1)
	assert.Equal(t, "os", rep.Violations[0].Name)
	assert.Empty(t, rep.Cases)
	assert.False(t, rep.Success)
}

// threeCases expect 1, 2 and 3; the attacks below answer wrong on every one.
const threeCases = `[{"input": 1, "expected": 1}, {"input": 2, "expected": 2}, {"input": 3, "expected": 3}]`

// TestEvalTesterVerdictsCannotBeForged runs code that tries to pass cases
// it answers wrongly: none may pass, and the report says what happened. The
// code runs under the policy "none", as if it had got past every guard.
func TestEvalTesterVerdictsCannotBeForged(t *testing.T) {
	none, err := validate.PolicyByName("none")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		code string
		want string // statuses
	}{
		{
			// Issue 12's reproducer: the harness's comparison replaced
			// through sys.modules["__main__"]. The guest compares nothing now.
			name: "replaced comparison",
			code: `import typing
t = [typing][0]
s = t.__dict__["sys"]
h = [s.modules["__main__"]][0]
h.__dict__["_equal"] = lambda actual, expected, tol: True
def evaluate(x):
    return "wrong answer"
`,
			want: "fail,fail,fail",
		},
		{
			// Printed lines are the case's stdout, whatever they say.
			name: "printed protocol lines",
			code: `def evaluate(x):
    print('{"index":%d,"duration":0.1,"stdout":"","value":%d}' % (x - 1, x))
    print('{"event":"result","index":%d,"name":"case","status":"pass","duration":0.1,"stdout":""}' % (x - 1))
    print('{"event":"done","index":%d,"status":"pass"}' % (x - 1))
    return "wrong"
`,
			want: "fail,fail,fail",
		},
		{
			// A reply for the case written on the channel itself, before
			// the harness's own: two replies where one was due.
			name: "channel written directly",
			code: `import os
def evaluate(x):
    os.write(1, b'{"index":%d,"duration":0.1,"stdout":"","value":%d}\n' % (x - 1, x))
    return "wrong"
`,
			want: "error,error,error",
		},
		{
			// The harness's own reply function, called for every case at
			// once from the first: the later replies come before their
			// cases were handed out.
			name: "answers for later cases",
			code: `import typing
h = [typing][0].__dict__["sys"].modules["__main__"]
def evaluate(x):
    for i in range(3):
        h.__dict__["_send"]('{"index":%d,"duration":0.1,"stdout":"","value":%d}' % (i, i + 1))
    return "wrong"
`,
			want: "error,error,error",
		},
		{
			// Reads the next case itself before its reply is out.
			name: "reads ahead",
			code: `import os
def evaluate(x):
    ahead = os.read(0, 1 << 16)
    return "wrong"
`,
			want: "error,error,error",
		},
		{
			// Replies for its own case with a forged value and leaves: the
			// forged value is its answer, and it is judged.
			name: "forged reply then exit",
			code: `import os
def evaluate(x):
    os.write(1, b'{"index":%d,"duration":0.1,"stdout":"","value":"forged"}\n' % (x - 1))
    os._exit(0)
`,
			want: "fail,fail,fail",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := testEval(t, TesterConfig{Policy: &none, Timeout: 10 * time.Second}, tc.code, threeCases)
			require.Nil(t, rep.LoadError)
			require.Equal(t, tc.want, statuses(rep), "%+v", rep.Cases)
			assert.Zero(t, rep.Passed)
			assert.False(t, rep.Success)
			for _, c := range rep.Cases {
				if c.Status == "error" {
					require.NotNil(t, c.Error)
					assert.Equal(t, "ProtocolError", c.Error.Type, c.Error.Message)
				}
			}
		})
	}
}

// TestEvalTesterReproducerUnderDefaultPolicy runs issue 12's reproducer as
// filed, under the default policy: whether the guard stops it or not, no
// wrong answer passes.
func TestEvalTesterReproducerUnderDefaultPolicy(t *testing.T) {
	code := `import typing
t = [typing][0]
s = t.__dict__["sys"]
h = [s.modules["__main__"]][0]
h.__dict__["_equal"] = lambda actual, expected, tol: True
def evaluate(x):
    return "wrong answer"
`
	rep := testEval(t, TesterConfig{}, code, threeCases)
	assert.Zero(t, rep.Passed)
	assert.False(t, rep.Success)
}

// TestEvalTesterExpectationsStayOnTheHost has the code look everywhere it
// can in the guest (every frame's locals, argv, the files under /tmp) for
// what its cases expect: none of it is there.
func TestEvalTesterExpectationsStayOnTheHost(t *testing.T) {
	none, err := validate.PolicyByName("none")
	require.NoError(t, err)
	code := `import os, sys
def evaluate(x):
    seen = [repr(sys.argv)]
    f = sys._getframe()
    while f is not None:
        seen.append(repr(f.f_locals))
        seen.append(repr(f.f_globals.keys()))
        f = f.f_back
    for root, dirs, files in os.walk("/tmp"):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                seen.append(fh.read().decode("utf-8", "replace"))
    return "".join(seen)
`
	rep := testEval(t, TesterConfig{Policy: &none}, code, `[
  {"name": "NAME-SECRET-1a2b", "input": 1, "expected": "EXPECTED-SECRET-7f3a", "tolerance": 0.123456789},
  {"name": "NAME-SECRET-3c4d", "input": 2, "raises": "RaisesSecret7f3a"}
]`)
	require.Equal(t, "fail,fail", statuses(rep))
	for _, c := range rep.Cases {
		actual := string(c.Actual)
		require.True(t, strings.Contains(actual, "def evaluate(x):"), "the code did not see its own file")
		for _, secret := range []string{"EXPECTED-SECRET-7f3a", "0.123456789", "RaisesSecret7f3a", "NAME-SECRET"} {
			assert.False(t, strings.Contains(actual, secret), "%s reached the guest", secret)
		}
	}
}

// TestEvalTesterPrintedLinesAreStdout checks that what the call prints,
// protocol-like or not, is reported as its stdout and changes nothing else.
func TestEvalTesterPrintedLinesAreStdout(t *testing.T) {
	forged := `{"index":0,"duration":0.1,"stdout":"","value":1}`
	rep := testEval(t, TesterConfig{}, "def evaluate(x):\n    print('"+forged+"')\n    return x\n", `[{"input": 1, "expected": 1}]`)
	require.Equal(t, "pass", statuses(rep))
	assert.Equal(t, forged+"\n", rep.Cases[0].Stdout)
}
