package evaltest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
`)
	rs := run.rep.Cases
	require.Equal(t, []Status{StatusPass, StatusFail, StatusError, StatusPass, StatusError, StatusPass, StatusFail}, statusesOf(run.rep))
	for i, r := range rs {
		assert.Equal(t, i, r.Index)
		assert.GreaterOrEqual(t, r.Duration, 0.0, r.Name)
		assert.Less(t, r.Duration, 5000.0, r.Name)
	}
	assert.Equal(t, "6", string(rs[0].Actual))
	assert.Equal(t, "6", string(rs[0].Expected))
	assert.Nil(t, rs[0].Error)
	assert.Equal(t, "2", string(rs[1].Actual))
	assert.Equal(t, "5", string(rs[1].Expected))
	assert.Nil(t, rs[1].Error)

	e := rs[2].Error
	require.NotNil(t, e)
	assert.Equal(t, "ValueError", e.Type)
	assert.Equal(t, "bad input: boom", e.Message)
	assert.Nil(t, rs[2].Actual)
	// The traceback starts at the script, names its file and real line.
	assert.True(t, strings.HasPrefix(e.Traceback, "Traceback (most recent call last):\n  File \""+run.script+"\", line 4, in evaluate\n"), e.Traceback)
	assert.NotContains(t, e.Traceback, "harness.py")
	assert.True(t, strings.HasSuffix(e.Traceback, "ValueError: bad input: boom\n"), e.Traceback)

	assert.Equal(t, "7", string(rs[3].Actual))
	assert.Nil(t, rs[3].Expected)
	assert.Equal(t, "null", string(rs[5].Actual))
	assert.Equal(t, 7, run.rep.Total)
	assert.Equal(t, 3, run.rep.Passed)
	require.Len(t, run.exits, 1, "one instance for all cases")
	assert.Equal(t, 0, run.exits[0].Code, run.stderr())
}

func TestHarnessNumbers(t *testing.T) {
	t.Parallel()
	run := runHarness(t, `
def evaluate(x):
    return x
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
`)
	assert.Equal(t, []Status{
		StatusFail, StatusFail, StatusFail, StatusPass, StatusPass, StatusPass, StatusFail, StatusPass,
		StatusFail, StatusPass, StatusFail, StatusFail, StatusPass, StatusFail, StatusFail, StatusFail,
	}, statusesOf(run.rep))

	run = runHarness(t, `
def add(a, b):
    return a + b
`, "add", `{"args": [0.1, 0.2], "expected": 0.3}
{"args": [0.1, 0.2], "expected": 0.3, "tolerance": 0}`)
	require.Equal(t, []Status{StatusPass, StatusFail}, statusesOf(run.rep))
	assert.Equal(t, "0.30000000000000004", string(run.rep.Cases[0].Actual))
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
`)
	rs := run.rep.Cases
	require.Equal(t, []Status{StatusPass, StatusPass, StatusPass, StatusFail, StatusFail, StatusPass, StatusPass, StatusPass, StatusError}, statusesOf(run.rep))
	if e := rs[3].Error; assert.NotNil(t, e, "wrong class") {
		assert.Equal(t, "ValueError", e.Type)
		assert.Equal(t, "nope", e.Message)
		assert.Equal(t, "KeyError", rs[3].Raises)
	}
	if e := rs[4].Error; assert.NotNil(t, e, "returned") {
		assert.Equal(t, "AssertionError", e.Type)
		assert.Equal(t, `expected KeyError to be raised, but the call returned "ok"`, e.Message)
		assert.Equal(t, `"ok"`, string(rs[4].Actual))
	}
	if e := rs[8].Error; assert.NotNil(t, e, "system exit") {
		assert.Equal(t, "SystemExit", e.Type)
		assert.Equal(t, "3", e.Message)
	}
	assert.Nil(t, rs[0].Error, "a pass carries no error")
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
`)
	rs := run.rep.Cases
	require.Equal(t, []Status{StatusPass, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusError, StatusPass, StatusFail}, statusesOf(run.rep))
	assert.Equal(t, `[1,[2,"x"],[3]]`, string(rs[0].Actual))
	for i, msg := range map[int]string{
		1: "return value of type set is not JSON-serialisable",
		2: "return value of type Thing is not JSON-serialisable",
		3: "return value contains nan at $[1], which JSON cannot represent",
		4: "return value contains inf at $.score, which JSON cannot represent",
		5: "return value has a dict key of type int at $; JSON object keys must be str",
		6: "return value contains a circular reference at $[0]",
		7: "return value of type set is not JSON-serialisable (at $.a[1].b)",
	} {
		if e := rs[i].Error; assert.NotNil(t, e, rs[i].Name) {
			assert.Equal(t, "TypeError", e.Type, rs[i].Name)
			assert.Equal(t, msg, e.Message, rs[i].Name)
		}
		assert.Nil(t, rs[i].Actual, rs[i].Name)
	}
	if e := rs[8].Error; assert.NotNil(t, e, "big int") {
		assert.Contains(t, e.Message, "cannot be written as JSON")
	}
	assert.Nil(t, rs[9].Actual, "no expectation")
	if e := rs[10].Error; assert.NotNil(t, e, "raises but returned set") {
		assert.Equal(t, "expected KeyError to be raised, but the call returned a value of type set", e.Message)
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
{"name": "surrogate", "input": "\ud800", "expected": {"echo": "\ud800", "len": 1, "ключ": "значение ✓"}}
{"name": "another surrogate", "input": "\ud800", "expected": {"echo": "\udc00", "len": 1, "ключ": "значение ✓"}}
`)
	rs := run.rep.Cases
	require.Equal(t, []Status{StatusPass, StatusPass, StatusPass, StatusPass, StatusFail}, statusesOf(run.rep))
	assert.Equal(t, "héllo ✓", rs[0].Name)
	assert.Equal(t, "in: héllo wörld ✓ 😀\nsecond line", rs[0].Stdout)
	assert.Equal(t, "in: \nsecond line", rs[1].Stdout)
	assert.LessOrEqual(t, len([]rune(rs[2].Stdout)), 66*1024)
	assert.Contains(t, rs[2].Stdout, "[output truncated: ")
	assert.Contains(t, run.stderr(), "printed while loading")
}

func TestHarnessLoadErrors(t *testing.T) {
	t.Parallel()
	const cases = `{"input": 1, "expected": 1}`
	for _, tt := range []struct {
		name, code, typ, msg, tb string
	}{
		{"syntax error", "def evaluate(x):\n    return (x\n\nx = 1\n", "SyntaxError", "'(' was never closed", "line 2"},
		{"raises at import", "x = 1\nraise RuntimeError('not today')\n", "RuntimeError", "not today", "line 2, in <module>"},
		{"raises in helper", "def helper():\n    return 1 / 0\n\nVALUE = helper()\n", "ZeroDivisionError", "division by zero", "line 2, in helper"},
		{"missing function", "def other(x):\n    return x\n", "AttributeError", "the evaluation code defines no function named 'evaluate'", ""},
		{"not callable", "evaluate = 3\n", "TypeError", "'evaluate' in the evaluation code is not callable (it is of type int)", ""},
		{"exit at import", "exit(4)\n", "SystemExit", "4", "line 1, in <module>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run := runHarness(t, tt.code, "evaluate", cases)
			require.Len(t, run.exits, 1)
			assert.Equal(t, 0, run.exits[0].Code, run.stderr())
			le := run.rep.LoadError
			require.NotNil(t, le, "%+v", run.rep)
			assert.Empty(t, run.rep.Cases)
			assert.Equal(t, tt.typ, le.Type)
			assert.True(t, strings.HasPrefix(le.Message, tt.msg), "message %q, want %q", le.Message, tt.msg)
			assert.Contains(t, le.Traceback, tt.tb)
			assert.NotContains(t, le.Traceback, "harness.py")
			if tt.tb != "" {
				assert.Contains(t, le.Traceback, run.script, "the traceback names the script")
			}
		})
	}
}

func TestHarnessUsage(t *testing.T) {
	t.Parallel()
	py := python(t)
	harness := filepath.Join(t.TempDir(), "harness.py")
	require.NoError(t, os.WriteFile(harness, HarnessSource, 0o644))
	for name, args := range map[string][]string{"no arguments": {}, "too many": {"a", "b", "c"}} {
		t.Run(name, func(t *testing.T) {
			err := exec.Command(py, append([]string{harness}, args...)...).Run()
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, 2, ee.ExitCode())
		})
	}
}

// Control characters in what the call prints and returns survive as text.
func TestHarnessControlCharacters(t *testing.T) {
	t.Parallel()
	run := runHarness(t, "def evaluate(x):\n    print('\\x00\\x1b[31m')\n    return x\n", "evaluate", `{"input": "\u0000", "expected": "\u0000"}`)
	require.Equal(t, []Status{StatusPass}, statusesOf(run.rep))
	assert.Equal(t, "\x00\x1b[31m\n", run.rep.Cases[0].Stdout)
	b, err := json.Marshal(run.rep)
	require.NoError(t, err)
	assert.True(t, json.Valid(b))
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
`, "evaluate", `{"input": `+deep+`}
{"name": "deep return", "input": "deep", "expected": []}
{"name": "after", "input": 1, "expected": 1}`)
	rs := run.rep.Cases
	require.Equal(t, []Status{StatusError, StatusError, StatusPass}, statusesOf(run.rep))
	if e := rs[0].Error; assert.NotNil(t, e, "deep input") {
		assert.Equal(t, "CaseError", e.Type)
		assert.Contains(t, e.Message, "RecursionError")
		assert.Equal(t, "case 1", rs[0].Name)
	}
	if e := rs[1].Error; assert.NotNil(t, e, "deep return") {
		assert.Contains(t, e.Message, "cannot be written as JSON: RecursionError")
	}
}
