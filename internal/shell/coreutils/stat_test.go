package coreutils

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStat(t *testing.T) {
	format := "%n|%N|%s|%a|%A|%F|%u|%U|%g|%G|%h|%y|%Y|%x|%f|%B|%o|%5s|%-6n|"
	var cases []gnuCase
	for _, argv := range [][]string{
		{"stat", "-c", format, "a", "d", "la", "empty", "run.sh"}, {"stat", "-L", "-c", format, "la", "ld"},
		{"stat", "--printf", `%n\t%s\n`, "a", "b.txt"}, {"stat", "--format=%n %F", "dangle"},
		{"stat", "-c", "%n", "nope", "a"}, {"stat"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}

// TestStatDefault checks the default format's lines that do not depend
// on the device, inode or change time.
func TestStatDefault(t *testing.T) {
	dir := makeTree(t, tree)
	want := runGNU(t, dir, []string{"stat", "a", "la"}, "")
	got := runOurs(t, dir, []string{"stat", "a", "la"}, "")
	wantLines, gotLines := strings.Split(want.stdout, "\n"), strings.Split(got.stdout, "\n")
	assert.Equal(t, len(wantLines), len(gotLines))
	for _, i := range []int{0, 1, 3, 5, 8, 9, 11, 13} { // not atimes: reading a link moves its atime
		assert.Equal(t, wantLines[i], gotLines[i], "line %d", i)
	}
	assert.Equal(t, " Birth: -", gotLines[7])
}
