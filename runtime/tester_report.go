package runtime

import (
	"io"

	"github.com/wasmbox/wasmbox/internal/evaltest"
)

// ParseCases parses a cases file held in memory: a JSON array of case
// objects, or JSON Lines. A malformed file or case gives an error that names
// the case (or line and column) and the key.
func ParseCases(data []byte) ([]TestCase, error) { return evaltest.ParseCases(data) }

// ReadCasesFile streams the cases in the file at path to fn, in order, with i
// the case's 0-based index; errors are as ParseCases's, prefixed with the
// file's base name. An error returned by fn stops the reading and is
// returned as is.
func ReadCasesFile(path string, fn func(i int, c TestCase) error) error {
	return evaltest.ReadCasesFile(path, fn)
}

// WriteJUnit writes rep as JUnit XML, one testsuite named suiteName (default
// "wasmbox.FUNCTION") with a testcase per case, violation and load error.
func WriteJUnit(w io.Writer, rep *TestReport, suiteName string) error {
	return evaltest.WriteJUnit(w, rep, suiteName)
}

// WriteSummary writes rep as readable text: one line a case, details for the
// cases that did not pass, then the totals.
func WriteSummary(w io.Writer, rep *TestReport) error { return evaltest.WriteSummary(w, rep) }
