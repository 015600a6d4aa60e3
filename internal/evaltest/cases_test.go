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
)

func mustParse(t *testing.T, src string) []Case {
	t.Helper()
	cs, err := ParseCases([]byte(src))
	if err != nil {
		t.Fatalf("ParseCases: %v", err)
	}
	return cs
}

func TestParseCasesArray(t *testing.T) {
	cs := mustParse(t, `[
  {"name": "adds", "args": [1, 2], "expected": 3},
  {"kwargs": {"a": 1}, "expected": null, "tolerance": 0.5},
  {"input": {"x": [1, 2]}, "raises": "ValueError"},
  {}
]`)
	if len(cs) != 4 {
		t.Fatalf("got %d cases, want 4", len(cs))
	}
	c := cs[0]
	if c.Name != "adds" || string(c.Args) != "[1,2]" || string(c.Expected) != "3" || c.Kwargs != nil || c.Input != nil {
		t.Errorf("case 1 = %+v", c)
	}
	if c.Tol() != DefaultTolerance || c.Tolerance != nil {
		t.Errorf("case 1 tolerance = %v", c.Tol())
	}
	c = cs[1]
	if c.Name != "case 2" || string(c.Kwargs) != `{"a":1}` || !c.HasExpected() || string(c.Expected) != "null" || c.Tol() != 0.5 {
		t.Errorf("case 2 = %+v", c)
	}
	c = cs[2]
	if string(c.Input) != `{"x":[1,2]}` || c.Raises != "ValueError" || c.HasExpected() {
		t.Errorf("case 3 = %+v", c)
	}
	if got := string(c.CallArgs()); got != `[{"x":[1,2]}]` {
		t.Errorf("case 3 CallArgs = %s", got)
	}
	c = cs[3]
	if c.Name != "case 4" || c.HasExpected() || string(c.CallArgs()) != "[]" || string(c.CallKwargs()) != "{}" {
		t.Errorf("case 4 = %+v", c)
	}
}

func TestParseCasesJSONLines(t *testing.T) {
	src := "\n{\"args\": [1], \"expected\": 1}\r\n\n   \n{\"name\": \"two\", \"input\": \"é\"}\n{\"expected\": [1,\n 2]}"
	cs := mustParse(t, src)
	if len(cs) != 3 {
		t.Fatalf("got %d cases, want 3", len(cs))
	}
	if cs[0].Name != "case 1" || cs[1].Name != "two" || cs[2].Name != "case 3" {
		t.Errorf("names = %q, %q, %q", cs[0].Name, cs[1].Name, cs[2].Name)
	}
	if string(cs[1].Input) != `"é"` || string(cs[2].Expected) != "[1,2]" {
		t.Errorf("values = %s, %s", cs[1].Input, cs[2].Expected)
	}
}

func TestParseCasesEmpty(t *testing.T) {
	for _, src := range []string{"", "  \n\t\n", "[]", " [ ] \n", "\xef\xbb\xbf[]"} {
		cs, err := ParseCases([]byte(src))
		if err != nil || len(cs) != 0 {
			t.Errorf("ParseCases(%q) = %d cases, %v; want 0 cases", src, len(cs), err)
		}
	}
}

func TestParseCasesBOM(t *testing.T) {
	cs := mustParse(t, "\xef\xbb\xbf{\"expected\": 1}\n")
	if len(cs) != 1 {
		t.Fatalf("got %d cases", len(cs))
	}
	_, err := ParseCases([]byte("\xef\xbb\xbf{\"expect\": 1}\n"))
	var ce *CaseError
	if !errors.As(err, &ce) || ce.Line != 1 || ce.Col != 2 {
		t.Errorf("err = %#v", err)
	}
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
			if err1 == nil || err == nil || err1.Error() != err.Error() {
				t.Errorf("byte by byte: %v\n          whole: %v", err1, err)
			}
			var ce *CaseError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v (%T), want *CaseError", err, err)
			}
			if ce.Case != tt.caseNum || ce.Line != tt.line || ce.Col != tt.col || ce.Key != tt.key {
				t.Errorf("got case %d line %d col %d key %q, want case %d line %d col %d key %q (%v)",
					ce.Case, ce.Line, ce.Col, ce.Key, tt.caseNum, tt.line, tt.col, tt.key, err)
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestReadCasesFileNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cases.json")
	if err := os.WriteFile(p, []byte(`[{"args": [], "expected": 1}, {}, {"expect": 2}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := ReadCasesFile(p, func(int, Case) error { return nil })
	want := `cases.json: case 3 (line 1, column 36): unknown key "expect" (valid keys: name, args, kwargs, input, expected, tolerance, raises); did you mean "expected"?`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestReadCasesCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ReadCases(strings.NewReader(`[{}, {}, {}]`), func(i int, c Case) error {
		if i != n {
			t.Errorf("index %d, want %d", i, n)
		}
		n++
		if i == 1 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Errorf("err = %v after %d cases", err, n)
	}
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
			if err := genCases(&total, n, array); err != nil {
				t.Fatal(err)
			}
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
			if err != nil {
				t.Fatal(err)
			}
			if count != n {
				t.Fatalf("read %d cases, want %d", count, n)
			}
			// Streaming: the first case arrives after reading a small prefix,
			// and the input is read exactly once.
			if readAtFirst > 256<<10 {
				t.Errorf("first case delivered after reading %d of %d bytes", readAtFirst, size)
			}
			if cr.n != size {
				t.Errorf("read %d bytes, file has %d", cr.n, size)
			}
		})
	}
}

func TestReadCasesErrorPositionLateInLargeFile(t *testing.T) {
	var b bytes.Buffer
	if err := genCases(&b, 5000, true); err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(b.String(), `"name": "case-4321", "args"`, `"name": "case-4321", "argz"`, 1)
	_, err := ParseCases([]byte(src))
	var ce *CaseError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	// Line 1 is "[", case i is on line i+2.
	if ce.Case != 4322 || ce.Line != 4323 || ce.Col != 23 || ce.Key != "argz" {
		t.Errorf("got %+v (%v)", ce, err)
	}
}

func TestReadCasesByteByByte(t *testing.T) {
	var b bytes.Buffer
	if err := genCases(&b, 300, true); err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(b.String(), ",\n", ",\n   \n\t ")
	src = strings.Replace(src, `"name": "case-250", "args"`, `"name": "case-250",`+"\n"+`   "argz"`, 1)
	var names []string
	err := ReadCases(iotest.OneByteReader(strings.NewReader(src)), func(i int, c Case) error {
		names = append(names, c.Name)
		return nil
	})
	var ce *CaseError
	if !errors.As(err, &ce) || len(names) != 250 {
		t.Fatalf("err = %v after %d cases", err, len(names))
	}
	// Case i starts on line 2+2i; the bad key is on the line after.
	if ce.Case != 251 || ce.Line != 2+2*250+1 || ce.Col != 4 || ce.Key != "argz" {
		t.Errorf("got %+v", ce)
	}
}

func TestReadCasesReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(`[{"args": [1]}, {"args"`), iotest.ErrReader(boom))
	err := ReadCases(r, func(int, Case) error { return nil })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
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
			if req := request(i, &c); !json.Valid(req) {
				t.Errorf("case %d: invalid request %s", i, req)
			}
			return nil
		})
		var ce *CaseError
		if err != nil && !errors.As(err, &ce) {
			t.Errorf("err %v is %T", err, err)
		}
		err1 := ReadCases(iotest.OneByteReader(bytes.NewReader(data)), func(int, Case) error { return nil })
		if (err == nil) != (err1 == nil) || err != nil && err.Error() != err1.Error() {
			t.Errorf("whole: %v\nbyte by byte: %v", err, err1)
		}
		if ce != nil && ce.Line < 0 {
			t.Errorf("negative line in %v", ce)
		}
	})
}
