package evaltest

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	summaryWidth    = 100 // the longest detail line
	summaryNameMax  = 40  // the widest name column
	summaryMaxDiffs = 8
)

// WriteSummary writes rep as readable text: violations, the load error,
// one line a case (status, name, duration) with a line or two of detail
// for the cases that did not pass, then the totals.
func WriteSummary(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	for _, v := range rep.Violations {
		line := "VIOLATION  " + oneLine(v.Rule)
		if v.Line > 0 {
			line += fmt.Sprintf("  line %d:%d", v.Line, v.Col)
		}
		line += "  " + oneLine(v.Message)
		fmt.Fprintln(bw, truncate(line, 2*summaryWidth))
	}
	if le := rep.LoadError; le != nil {
		fmt.Fprintf(bw, "LOAD ERROR  %s\n", truncate(errorHeadline(le), 2*summaryWidth))
		for _, l := range strings.Split(strings.TrimRight(le.Traceback, "\n"), "\n") {
			if l != "" {
				fmt.Fprintf(bw, "    %s\n", l)
			}
		}
	}

	width := 0
	for i := range rep.Cases {
		width = max(width, utf8.RuneCountInString(caseName(&rep.Cases[i])))
	}
	const indent = "         " // under the name column
	for i := range rep.Cases {
		r := &rep.Cases[i]
		name := caseName(r)
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(name))
		fmt.Fprintf(bw, "%-8s %s%s  %9s\n", statusWord(r.Status), name, pad, formatMillis(r.Duration))
		for _, d := range caseDetails(r) {
			fmt.Fprintf(bw, "%s%s\n", indent, truncate(d, summaryWidth-len(indent)))
		}
	}
	if len(rep.Cases) > 0 || rep.LoadError != nil || len(rep.Violations) > 0 {
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "%s: %d passed, %s, %s, %d timed out (%s)\n",
		plural(rep.Total, "case", "cases"), rep.Passed,
		plural(rep.Failed, "failed", "failed"), plural(rep.Errors, "error", "errors"),
		rep.TimedOut, formatMillis(rep.Duration))
	return bw.Flush()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func caseName(r *CaseResult) string {
	return truncate(oneLine(r.Name), summaryNameMax)
}

func statusWord(s Status) string {
	switch s {
	case StatusPass:
		return "PASS"
	case StatusFail:
		return "FAIL"
	case StatusError:
		return "ERROR"
	case StatusTimeout:
		return "TIMEOUT"
	}
	return strings.ToUpper(oneLine(string(s)))
}

func formatMillis(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0f ms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.2f ms", ms)
	}
}

// tbLocation matches a traceback frame line.
var tbLocation = regexp.MustCompile(`^\s*File "([^"]*)", line (\d+), in (.+)$`)

// errorHeadline is "Type: first line of message (line N, in f)", the
// location being the last frame of the traceback.
func errorHeadline(e *ErrorInfo) string {
	s := oneLine(e.Type)
	if msg := firstLine(e.Message); msg != "" {
		if s != "" {
			s += ": "
		}
		s += oneLine(msg)
	}
	var loc string
	for _, l := range strings.Split(e.Traceback, "\n") {
		if m := tbLocation.FindStringSubmatch(l); m != nil {
			loc = fmt.Sprintf(" (line %s, in %s)", m[2], oneLine(m[3]))
		}
	}
	return s + loc
}

// caseDetails are the lines shown under a case that did not pass.
func caseDetails(r *CaseResult) []string {
	switch r.Status {
	case StatusPass:
		return nil
	case StatusFail:
		if r.Error != nil {
			if r.Raises != "" && r.Error.Type != "AssertionError" {
				return []string{fmt.Sprintf("expected %s to be raised, got %s", r.Raises, errorHeadline(r.Error))}
			}
			return []string{oneLine(firstLine(r.Error.Message))}
		}
		return failureLines(r)
	default:
		if r.Error != nil {
			return []string{errorHeadline(r.Error)}
		}
		return nil
	}
}

// failureLines shows expected against actual, and where they differ.
func failureLines(r *CaseResult) []string {
	lines := []string{"expected " + shortRaw(r.Expected, 40) + ", got " + shortRaw(r.Actual, 40)}
	if r.Expected == nil || r.Actual == nil {
		return lines
	}
	diffs := diffJSON(r.Expected, r.Actual, resultTol(r), summaryMaxDiffs+1)
	switch {
	case len(diffs) == 0:
		return lines
	case len(diffs) == 1 && diffs[0].Path == "$":
		return []string{diffs[0].Msg}
	case len(diffs) == 1:
		return append(lines, "differs at "+diffs[0].String())
	}
	count := strconv.Itoa(len(diffs))
	if len(diffs) > summaryMaxDiffs {
		diffs, count = diffs[:summaryMaxDiffs], strconv.Itoa(summaryMaxDiffs)+"+"
	}
	parts := make([]string, len(diffs))
	for i, d := range diffs {
		parts[i] = d.String()
	}
	return append(lines, count+" differences: "+strings.Join(parts, "; "))
}

func resultTol(r *CaseResult) float64 {
	if r.Tolerance != nil {
		return *r.Tolerance
	}
	return DefaultTolerance
}
