package evaltest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, src string) []Case {
	t.Helper()
	cs, err := ParseCases([]byte(src))
	require.NoError(t, err)
	return cs
}

func TestParseCasesArray(t *testing.T) {
	cs := mustParse(t, `[
  {"name": "adds", "args": [1, 2], "expected": 3},
  {"kwargs": {"a": 1}, "expected": null, "tolerance": 0.5},
  {"input": {"x": [1, 2]}, "raises": "ValueError"},
  {}
]`)
	require.Len(t, cs, 4)
	c := cs[0]
	assert.Equal(t, "adds", c.Name)
	assert.Equal(t, "[1,2]", string(c.Args))
	assert.Equal(t, "3", string(c.Expected))
	assert.Nil(t, c.Kwargs)
	assert.Nil(t, c.Input)
	assert.Equal(t, DefaultTolerance, c.Tol())
	assert.Nil(t, c.Tolerance)
	c = cs[1]
	assert.Equal(t, "case 2", c.Name)
	assert.Equal(t, `{"a":1}`, string(c.Kwargs))
	assert.True(t, c.HasExpected())
	assert.Equal(t, "null", string(c.Expected))
	assert.Equal(t, 0.5, c.Tol())
	c = cs[2]
	assert.Equal(t, `{"x":[1,2]}`, string(c.Input))
	assert.Equal(t, "ValueError", c.Raises)
	assert.False(t, c.HasExpected())
	assert.Equal(t, `[{"x":[1,2]}]`, string(c.CallArgs()))
	c = cs[3]
	assert.Equal(t, "case 4", c.Name)
	assert.False(t, c.HasExpected())
	assert.Equal(t, "[]", string(c.CallArgs()))
	assert.Equal(t, "{}", string(c.CallKwargs()))
}

func TestParseCasesJSONLines(t *testing.T) {
	src := "\n{\"args\": [1], \"expected\": 1}\r\n\n   \n{\"name\": \"two\", \"input\": \"é\"}\n{\"expected\": [1,\n 2]}"
	cs := mustParse(t, src)
	require.Len(t, cs, 3)
	assert.Equal(t, []string{"case 1", "two", "case 3"}, []string{cs[0].Name, cs[1].Name, cs[2].Name})
	assert.Equal(t, `"é"`, string(cs[1].Input))
	assert.Equal(t, "[1,2]", string(cs[2].Expected))
}

func TestParseCasesEmpty(t *testing.T) {
	for _, src := range []string{"", "  \n\t\n", "[]", " [ ] \n", "\xef\xbb\xbf[]"} {
		t.Run(fmt.Sprintf("%q", src), func(t *testing.T) {
			cs, err := ParseCases([]byte(src))
			require.NoError(t, err)
			assert.Empty(t, cs)
		})
	}
}

func TestParseCasesBOM(t *testing.T) {
	cs := mustParse(t, "\xef\xbb\xbf{\"expected\": 1}\n")
	assert.Len(t, cs, 1)
	_, err := ParseCases([]byte("\xef\xbb\xbf{\"expect\": 1}\n"))
	var ce *CaseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Line)
	assert.Equal(t, 2, ce.Col)
}

func TestParseCasesErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		caseNum   int
		line, col int
		key       string
		contains  []string
	}{
		{"unknown key", "[{\"args\": []},\n {\"name\": \"x\", \"expect\": 3}]", 2, 2, 16, "expect",
			[]string{`case 2 (line 2, column 16): unknown key "expect" (valid keys: name, args, kwargs, input, expected, tolerance, raises)`, `did you mean "expected"?`}},
		{"unknown key jsonl", "{}\n{}\n{\"Raises\": \"E\"}\n", 3, 3, 2, "Raises", []string{`unknown key "Raises"`, `did you mean "raises"?`}},
		{"args not array", `[{"args": {"a": 1}}]`, 1, 1, 11, "args", []string{`"args" must be an array, got object`}},
		{"args null", `[{"args": null}]`, 1, 1, 11, "args", []string{`"args" must be an array, got null`}},
		{"kwargs not object", `{"kwargs": [1]}`, 1, 1, 12, "kwargs", []string{`"kwargs" must be an object, got array`}},
		{"tolerance string", `{"tolerance": "1e-3"}`, 1, 1, 15, "tolerance", []string{`"tolerance" must be a non-negative number, got string`}},
		{"tolerance negative", `{"tolerance": -1}`, 1, 1, 15, "tolerance", []string{`"tolerance" must be a non-negative number, got -1`}},
		{"tolerance huge", `{"tolerance": 1e999}`, 1, 1, 15, "tolerance", []string{`"tolerance" is out of range`}},
		{"name number", `{"name": 3}`, 1, 1, 10, "name", []string{`"name" must be a string, got number`}},
		{"raises bool", `{"raises": true}`, 1, 1, 12, "raises", []string{`"raises" must be a string naming an exception class, got boolean`}},
		{"raises empty", `{"raises": ""}`, 1, 1, 12, "raises", []string{`"raises" must name an exception class`}},
		{"duplicate key", `{"expected": 1, "expected": 2}`, 1, 1, 17, "expected", []string{`duplicate key "expected"`}},
		{"input with args", `{"args": [1], "input": 2}`, 1, 1, 15, "input", []string{`"input" cannot be combined with "args"`}},
		{"expected with raises", `{"expected": 1, "raises": "E"}`, 1, 1, 17, "raises", []string{`"expected" and "raises" cannot both be given`}},
		{"case not object", "[{}, 3]", 2, 1, 6, "", []string{"case 2 (line 1, column 6): a case must be a JSON object, got number"}},
		{"jsonl line not object", "{}\n[1]\n", 2, 2, 1, "", []string{"a case must be a JSON object, got array"}},
		{"bad json in array", "[\n  {\"args\": [1, 2,]}\n]", 1, 2, 18, "", []string{"case 1 (line 2, column 18): invalid JSON: invalid character ']'"}},
		{"bad json in jsonl", "{\"args\": [1]}\n{\"args\": [1], \"expected\": tru}\n", 2, 2, 30, "", []string{"case 2 (line 2, column 30): invalid JSON: invalid character '}' in literal true"}},
		{"missing comma", "[{}\n {}]", 2, 2, 2, "", []string{"case 2 (line 2, column 2): invalid JSON: expected comma after array element"}},
		{"unterminated array", "[{}, {}", 0, 1, 8, "", []string{"line 1, column 8: invalid JSON: unexpected end of input"}},
		{"unterminated object", "[{}, {\"args\": [1", 2, 1, 17, "", []string{"case 2 (line 1, column 17): invalid JSON: unexpected end of input"}},
		{"trailing data", "[{}] x", 0, 1, 6, "", []string{"line 1, column 6: invalid JSON: unexpected data after the end of the array"}},
		// Found by FuzzParseCases: the comma was skipped as a separator,
		// and the column depended on how the file was read.
		{"comma after the array", "[], ", 0, 1, 3, "", []string{"line 1, column 3: invalid JSON: unexpected data after the end of the array"}},
		{"stray brace in jsonl", "{}\n}\n", 0, 2, 1, "", []string{"line 2, column 1: invalid JSON: unexpected '}'"}},
		{"not json", "hello", 0, 1, 1, "", []string{"line 1, column 1: invalid cases file: want a JSON array of case objects or JSON Lines of case objects, found 'h'"}},
		{"float out of range", `{"expected": {"a": ["1e5", 1e400]}}`, 1, 1, 28, "expected", []string{`"expected" holds the number 1e400, which is out of range for a float`}},
		{"repeated commas", "[{},\n  ,{}]", 2, 2, 3, "", []string{"case 2 (line 2, column 3): invalid JSON: invalid character ','"}},
		{"garbage after blank lines", "\n\n  \n   x", 0, 4, 4, "", []string{"line 4, column 4: invalid cases file"}},
		{"long unknown key", `{"` + strings.Repeat("k", 1000) + `": 1}`, 1, 1, 2, strings.Repeat("k", 1000), []string{`unknown key "` + strings.Repeat("k", 60) + `"… (valid keys`}},
		{"invalid utf8", "{\"input\": \"\xff\"}", 1, 1, 1, "", []string{"invalid UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCases([]byte(tt.src))
			// The same, with the input arriving a byte at a time.
			err1 := ReadCases(iotest.OneByteReader(strings.NewReader(tt.src)), func(int, Case) error { return nil })
			var ce *CaseError
			require.ErrorAs(t, err, &ce)
			require.Error(t, err1, "byte by byte")
			assert.Equal(t, err.Error(), err1.Error(), "byte by byte")
			assert.Equal(t, tt.caseNum, ce.Case, "case of %v", err)
			assert.Equal(t, tt.line, ce.Line, "line of %v", err)
			assert.Equal(t, tt.col, ce.Col, "column of %v", err)
			assert.Equal(t, tt.key, ce.Key, "key of %v", err)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
		})
	}
}

func TestReadCasesFileNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cases.json")
	require.NoError(t, os.WriteFile(p, []byte(`[{"args": [], "expected": 1}, {}, {"expect": 2}]`), 0o644))
	err := ReadCasesFile(p, func(int, Case) error { return nil })
	assert.EqualError(t, err, `cases.json: case 3 (line 1, column 36): unknown key "expect" (valid keys: name, args, kwargs, input, expected, tolerance, raises); did you mean "expected"?`)
}

func TestReadCasesCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ReadCases(strings.NewReader(`[{}, {}, {}]`), func(i int, c Case) error {
		assert.Equal(t, n, i)
		n++
		if i == 1 {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, 2, n)
}

// TestRequest checks the line that hands a case to the harness: the call
// only, never what the call must give.
func TestRequest(t *testing.T) {
	cs := mustParse(t, `[
  {"name": "a<b", "args": [1, {"k": [2]}], "expected": {"x":   1.5}},
  {"input": "s", "raises": "KeyError", "tolerance": 0.25},
  {"kwargs": {"y": null}, "expected": null}
]`)
	want := []string{
		`{"index":0,"args":[1,{"k":[2]}],"kwargs":{}}` + "\n",
		`{"index":1,"args":["s"],"kwargs":{}}` + "\n",
		`{"index":2,"args":[],"kwargs":{"y":null}}` + "\n",
	}
	for i := range cs {
		got := string(request(i, &cs[i]))
		assert.Equal(t, want[i], got, "case %d", i+1)
		assert.True(t, json.Valid([]byte(got)), "case %d", i+1)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// genCases writes n cases to w as a JSON array or JSON Lines.
func genCases(w io.Writer, n int, array bool) error {
	var b bytes.Buffer
	if array {
		b.WriteString("[\n")
	}
	for i := 0; i < n; i++ {
		if array && i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"name": "case-%d", "args": [%d, "text %d", [1, 2, 3]], "kwargs": {"k": %d}, "expected": {"sum": %d, "ok": true}}`, i, i, i, i, 2*i)
		if !array {
			b.WriteByte('\n')
		}
		if b.Len() > 64<<10 {
			if _, err := w.Write(b.Bytes()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if array {
		b.WriteString("\n]\n")
	}
	_, err := w.Write(b.Bytes())
	return err
}

func TestReadCasesStreams100k(t *testing.T) {
	const n = 100_000
	for _, array := range []bool{true, false} {
		t.Run(fmt.Sprintf("array=%v", array), func(t *testing.T) {
			var total bytes.Buffer
			require.NoError(t, genCases(&total, n, array))
			size := int64(total.Len())
			cr := &countingReader{r: &total}
			var readAtFirst int64 = -1
			count := 0
			err := ReadCases(cr, func(i int, c Case) error {
				if readAtFirst < 0 {
					readAtFirst = cr.n
				}
				if i != count {
					return fmt.Errorf("index %d, want %d", i, count)
				}
				if i%9973 == 0 {
					if want := fmt.Sprintf("case-%d", i); c.Name != want {
						return fmt.Errorf("name %q, want %q", c.Name, want)
					}
					if want := fmt.Sprintf(`{"sum":%d,"ok":true}`, 2*i); string(c.Expected) != want {
						return fmt.Errorf("expected %s, want %s", c.Expected, want)
					}
				}
				count++
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, n, count)
			// Streaming: the first case arrives after reading a small prefix,
			// and the input is read exactly once.
			assert.LessOrEqual(t, readAtFirst, int64(256<<10), "bytes read before the first case, of %d", size)
			assert.Equal(t, size, cr.n, "bytes read")
		})
	}
}

func TestReadCasesErrorPositionLateInLargeFile(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, genCases(&b, 5000, true))
	src := strings.Replace(b.String(), `"name": "case-4321", "args"`, `"name": "case-4321", "argz"`, 1)
	_, err := ParseCases([]byte(src))
	var ce *CaseError
	require.ErrorAs(t, err, &ce)
	// Line 1 is "[", case i is on line i+2.
	assert.Equal(t, CaseError{Case: 4322, Line: 4323, Col: 23, Key: "argz"}, CaseError{Case: ce.Case, Line: ce.Line, Col: ce.Col, Key: ce.Key}, "%v", err)
}

func TestReadCasesByteByByte(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, genCases(&b, 300, true))
	src := strings.ReplaceAll(b.String(), ",\n", ",\n   \n\t ")
	src = strings.Replace(src, `"name": "case-250", "args"`, `"name": "case-250",`+"\n"+`   "argz"`, 1)
	var names []string
	err := ReadCases(iotest.OneByteReader(strings.NewReader(src)), func(i int, c Case) error {
		names = append(names, c.Name)
		return nil
	})
	var ce *CaseError
	require.ErrorAs(t, err, &ce)
	require.Len(t, names, 250)
	// Case i starts on line 2+2i; the bad key is on the line after.
	assert.Equal(t, CaseError{Case: 251, Line: 2 + 2*250 + 1, Col: 4, Key: "argz"}, CaseError{Case: ce.Case, Line: ce.Line, Col: ce.Col, Key: ce.Key}, "%v", err)
}

func TestReadCasesReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(`[{"args": [1]}, {"args"`), iotest.ErrReader(boom))
	err := ReadCases(r, func(int, Case) error { return nil })
	assert.ErrorIs(t, err, boom)
}

// FuzzParseCases checks that no input makes the reader panic, that errors
// are *CaseError, and that accepted cases normalise to valid JSON.
func FuzzParseCases(f *testing.F) {
	for _, s := range []string{
		`[]`, `[{}]`, `{}`, "{}\n{}", `[{"args": [1], "expected": 2}]`, `[{"expect": 1}]`,
		`[{}, }`, `[1`, `[{"a":`, `{"input": "\u00e9", "raises": "E"}` + "\n]", "\xef\xbb\xbf[ ]", `[{"tolerance": -0}]`,
		`{"args": [1e400]}`, `[{"name": "x\"y"}]`, `[,]`, `[{},]`, `{"k": 1}{"k": 2}`, `[{"expected": [1, {"a": "}"}]}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ReadCases(bytes.NewReader(data), func(i int, c Case) error {
			req := request(i, &c)
			assert.True(t, json.Valid(req), "case %d: invalid request %s", i, req)
			return nil
		})
		var ce *CaseError
		if err != nil {
			assert.ErrorAs(t, err, &ce)
		}
		err1 := ReadCases(iotest.OneByteReader(bytes.NewReader(data)), func(int, Case) error { return nil })
		if err == nil {
			assert.NoError(t, err1, "byte by byte")
		} else if assert.Error(t, err1, "byte by byte") {
			assert.Equal(t, err.Error(), err1.Error(), "byte by byte")
		}
		if ce != nil {
			assert.GreaterOrEqual(t, ce.Line, 0, "line in %v", ce)
		}
	})
}
