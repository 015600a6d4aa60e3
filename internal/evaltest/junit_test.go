package evaltest

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	require.NoError(t, WriteJUnit(&b, rep, "evals"))
	assert.True(t, strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`), "no XML header: %.60s", b.String())
	var j junit
	require.NoError(t, xml.Unmarshal(b.Bytes(), &j), b.String())
	assert.Equal(t, 4, j.Tests)
	assert.Equal(t, 1, j.Failures)
	assert.Equal(t, 2, j.Errors)
	assert.Equal(t, "0.812", j.Time)
	require.Len(t, j.Suites, 1)
	s := j.Suites[0]
	assert.Equal(t, "evals", s.Name)
	assert.Equal(t, 4, s.Tests)
	assert.Equal(t, 1, s.Failures)
	assert.Equal(t, 2, s.Errors)
	assert.Equal(t, 0, s.Skipped)
	assert.Equal(t, "0.812", s.Time)
	require.Len(t, s.Cases, 4)

	c := s.Cases[0]
	assert.Equal(t, "adds", c.Name)
	assert.Equal(t, "evals", c.Classname)
	assert.Equal(t, "0.001", c.Time)
	assert.Nil(t, c.Failure)
	assert.Nil(t, c.Error)
	if assert.NotNil(t, c.SystemOut) {
		assert.Equal(t, "hi <there> & \uFFFD\uFFFD[0m\n", *c.SystemOut)
	}

	c = s.Cases[1]
	assert.Nil(t, c.Error)
	assert.Nil(t, c.SystemOut)
	if assert.NotNil(t, c.Failure) {
		assert.Equal(t, "fail", c.Failure.Type)
		assert.True(t, strings.HasPrefix(c.Failure.Message, `expected {"score":0.5,`), c.Failure.Message)
		assert.Contains(t, c.Failure.Body, "expected:\n{\n  \"score\": 0.5,")
		assert.Contains(t, c.Failure.Body, "actual:\n{\n  \"score\": 0.75,")
		assert.Contains(t, c.Failure.Body, "  $.score: expected 0.5, got 0.75\n")
	}

	c = s.Cases[2]
	if assert.NotNil(t, c.Error) {
		assert.Equal(t, "ValueError", c.Error.Type)
		assert.Equal(t, "bad input", c.Error.Message)
		assert.Contains(t, c.Error.Body, "line 7, in evaluate")
	}

	c = s.Cases[3]
	assert.Equal(t, "5.001", c.Time)
	if assert.NotNil(t, c.Error) {
		assert.Equal(t, "Timeout", c.Error.Type)
		assert.Equal(t, "the case did not finish within 5s", c.Error.Message)
	}

	// A load error and violations become test cases, so CI does not go green.
	rep = &Report{Function: "evaluate",
		Violations: []Violation{{Rule: "no-import", Name: "os", Message: "import of os is not allowed", Line: 2, Col: 1}},
		LoadError:  &ErrorInfo{Type: "SyntaxError", Message: "invalid syntax", Traceback: "  File \"x\", line 1\nSyntaxError: invalid syntax\n"},
	}
	rep.Tally()
	b.Reset()
	require.NoError(t, WriteJUnit(&b, rep, ""))
	j = junit{}
	require.NoError(t, xml.Unmarshal(b.Bytes(), &j))
	require.Len(t, j.Suites, 1)
	s = j.Suites[0]
	assert.Equal(t, "wasmbox.evaluate", s.Name)
	assert.Equal(t, 2, s.Tests)
	assert.Equal(t, 1, s.Failures)
	assert.Equal(t, 1, s.Errors)
	require.Len(t, s.Cases, 2)
	assert.Equal(t, "violation: no-import (line 2, column 1)", s.Cases[0].Name)
	if assert.NotNil(t, s.Cases[0].Failure) {
		assert.Equal(t, "no-import", s.Cases[0].Failure.Type)
	}
	assert.Equal(t, "load evaluate", s.Cases[1].Name)
	if assert.NotNil(t, s.Cases[1].Error) {
		assert.Equal(t, "SyntaxError", s.Cases[1].Error.Type)
		assert.Contains(t, s.Cases[1].Error.Body, "SyntaxError: invalid syntax")
	}
}
