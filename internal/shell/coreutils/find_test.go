package coreutils

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFind(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"find"}, {"find", "."}, {"find", "d"}, {"find", "-name", "*.txt"}, {"find", ".", "-name", "x"}, {"find", "-iname", "B*"},
		{"find", "-type", "f"}, {"find", "-type", "d"}, {"find", "-type", "l"}, {"find", "-type", "f,l"}, {"find", "-maxdepth", "1"},
		{"find", "-mindepth", "2"}, {"find", "d", "-maxdepth", "1", "-type", "f"}, {"find", "-path", "./d/*"}, {"find", "-name", "e", "-prune", "-o", "-print"},
		{"find", "!", "-name", "*.txt", "-type", "f"}, {"find", "-not", "-type", "d"}, {"find", "(", "-name", "a", "-o", "-name", "x", ")"},
		{"find", "-empty"}, {"find", "-size", "-1k", "-type", "f"}, {"find", "-size", "+5c"}, {"find", "-print0"}, {"find", "d", "-depth"},
		{"find", "-printf", "%p %f %s %y %d %m\\n"}, {"find", "d", "-printf", "%P|%h\\n"}, {"find", "-name", "x", "-exec", "cat", "{}", ";"},
		{"find", "d/e", "-type", "f", "-exec", "echo", "found", "{}", "+"}, {"find", "-regex", ".*/[ab].*"}, {"find", "-perm", "755", "-type", "f"},
		{"find", "-perm", "-u+x"}, {"find", "nope"}, {"find", "nope", "d"}, {"find", "-bogus"}, {"find", "-type", "q"}, {"find", "-name"},
		{"find", "-maxdepth", "x"}, {"find", "d", "a"}, {"find", "-L", "ld", "-type", "f"}, {"find", "ld"}, {"find", "-name", "a", "-quit"},
		{"find", "-user", "root", "-name", "a"}, {"find", "-newer", "a"}, {"find", "-type", "f", "-name", "*.txt", "-delete"},
		{"find", "d", "-delete"}, {"find", "d", "-execdir", "echo", "{}", ";"}, {"find", "(", "-name", "a"}, {"find", "-wholename", "*e/y"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv, anyOrder: true})
	}
	runGNUCases(t, cases)
}

func TestXargs(t *testing.T) {
	var cases []gnuCase
	for _, tc := range []struct {
		argv  []string
		stdin string
	}{
		{[]string{"xargs"}, "a b\nc\n"}, {[]string{"xargs", "echo", "x"}, "a b\nc\n"}, {[]string{"xargs", "-n", "1"}, "a b c\n"},
		{[]string{"xargs", "-n2", "echo", "-"}, "a b c d e\n"}, {[]string{"xargs", "-I", "{}", "echo", "<{}>"}, "a b\n  c\n"},
		{[]string{"xargs", "-0", "echo"}, "a b\x00c\x00"}, {[]string{"xargs", "-d", ",", "-n1"}, "a,b,c"}, {[]string{"xargs", "-L", "1"}, "a b\nc d\n"},
		{[]string{"xargs"}, ""}, {[]string{"xargs", "-r", "echo", "x"}, ""}, {[]string{"xargs", "echo"}, "'a b' \"c d\" e\\ f\n"},
		{[]string{"xargs", "cat"}, "a\nb.txt\n"}, {[]string{"xargs", "cat"}, "a\nnope\n"}, {[]string{"xargs", "false"}, "a\n"},
		{[]string{"xargs", "echo"}, "'unterminated\n"}, {[]string{"xargs", "-t", "echo"}, "a\n"},
		{[]string{"xargs", "-n", "0"}, "a\n"}, {[]string{"xargs", "-L", "x"}, "a\n"}, {[]string{"xargs", "-i", "echo", "[{}]"}, "a\nb\n"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(tc.argv), tree: tree, argv: tc.argv, stdin: tc.stdin})
	}
	runGNUCases(t, cases)
}

// TestFollowingWalksStopAtLoops gives walks that follow links a link back
// to an ancestor: each must end, saying so.
func TestFollowingWalksStopAtLoops(t *testing.T) {
	loopTree := files{"top/": "", "top/f": "needle\n", "top/sub/": "", "top/sub/up@": ".."}
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"find", "-L", "top"}, "is part of the same file system loop"},
		{[]string{"grep", "-R", "needle", "top"}, "recursive directory loop"},
		{[]string{"du", "-L", "-s", "top"}, "directory loop"},
		{[]string{"cp", "-rL", "top", "copy"}, "directory loop"},
	} {
		t.Run(fmtArgv(tc.argv), func(t *testing.T) {
			got := runOurs(t, makeTree(t, loopTree), tc.argv, "")
			assert.Contains(t, got.stderr, tc.want)
		})
	}
}
