package evaltest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// junitBodyMax caps the text of one failure or error element.
const junitBodyMax = 64 << 10

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func junitSeconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

// WriteJUnit writes rep as JUnit XML: one testsuite named suiteName with a
// testcase per case (a <failure> for a fail, an <error> for an error or a
// timeout, <system-out> for what it printed), a failing testcase per
// violation, and an erroring testcase for a load error. Times are seconds.
func WriteJUnit(w io.Writer, rep *Report, suiteName string) error {
	if suiteName == "" {
		suiteName = "wasmbox"
		if rep.Function != "" {
			suiteName += "." + rep.Function
		}
	}
	suite := junitSuite{Name: suiteName, Time: junitSeconds(rep.Duration)}
	for _, v := range rep.Violations {
		name := "violation: " + v.Rule
		if v.Line > 0 {
			name += fmt.Sprintf(" (line %d, column %d)", v.Line, v.Col)
		}
		body := v.Message
		if v.Name != "" {
			body = v.Name + ": " + body
		}
		suite.Cases = append(suite.Cases, junitCase{
			Classname: suiteName + ".validate", Name: name, Time: junitSeconds(0),
			Failure: &junitProblem{Message: truncate(oneLine(v.Message), 200), Type: v.Rule, Body: body},
		})
	}
	if le := rep.LoadError; le != nil {
		fn := rep.Function
		if fn == "" {
			fn = "the evaluation code"
		}
		body := le.Traceback
		if body == "" {
			body = le.Type + ": " + le.Message
		}
		suite.Cases = append(suite.Cases, junitCase{
			Classname: suiteName, Name: "load " + fn, Time: junitSeconds(0),
			Error: &junitProblem{Message: truncate(oneLine(le.Message), 200), Type: le.Type, Body: capText(body)},
		})
	}
	for i := range rep.Cases {
		r := &rep.Cases[i]
		tc := junitCase{Classname: suiteName, Name: r.Name, Time: junitSeconds(r.Duration), SystemOut: r.Stdout}
		switch r.Status {
		case StatusPass:
		case StatusFail:
			tc.Failure = failureProblem(r)
		default:
			tc.Error = errorProblem(r)
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, tc := range suite.Cases {
		switch {
		case tc.Failure != nil:
			suite.Failures++
		case tc.Error != nil:
			suite.Errors++
		}
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{
		Name: suiteName, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func failureProblem(r *CaseResult) *junitProblem {
	details := caseDetails(r)
	msg := strings.Join(details, "; ")
	if r.Error != nil {
		body := r.Error.Traceback
		if body == "" {
			body = r.Error.Type + ": " + r.Error.Message
		}
		if r.Raises != "" && r.Error.Type != "AssertionError" {
			body = "expected " + r.Raises + " to be raised, got:\n" + body
		}
		return &junitProblem{Message: truncate(msg, 200), Type: "fail", Body: capText(body)}
	}
	var b strings.Builder
	b.WriteString("expected:\n")
	b.WriteString(prettyRaw(r.Expected))
	b.WriteString("\nactual:\n")
	b.WriteString(prettyRaw(r.Actual))
	b.WriteString("\n")
	if r.Expected != nil && r.Actual != nil {
		if diffs := diffJSON(r.Expected, r.Actual, resultTol(r), 50); len(diffs) > 0 {
			b.WriteString("differences:\n")
			for _, d := range diffs {
				b.WriteString("  " + d.String() + "\n")
			}
		}
	}
	return &junitProblem{Message: truncate(msg, 200), Type: "fail", Body: capText(b.String())}
}

func errorProblem(r *CaseResult) *junitProblem {
	p := &junitProblem{Type: string(r.Status)}
	if r.Error != nil {
		p.Type = r.Error.Type
		p.Message = truncate(oneLine(firstLine(r.Error.Message)), 200)
		p.Body = r.Error.Traceback
		if p.Body == "" {
			p.Body = r.Error.Type + ": " + r.Error.Message
		}
		p.Body = capText(p.Body)
	}
	if r.Status == StatusTimeout && p.Type == "" {
		p.Type = "Timeout"
	}
	return p
}

func prettyRaw(raw json.RawMessage) string {
	if raw == nil {
		return "(nothing)"
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func capText(s string) string {
	if len(s) <= junitBodyMax {
		return s
	}
	cut := junitBodyMax
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "\n[truncated]"
}
