package coreutils

import "testing"

func TestInstall(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"install", "a", "b"}, {"install", "-m", "644", "a", "b"}, {"install", "-d", "x/y/z"}, {"install", "-d", "-m", "700", "p", "q"},
		{"install", "-D", "a", "deep/er/b"}, {"install", "a", "run.sh", "empty"}, {"install", "-t", "empty", "a"}, {"install", "nope", "b"},
		{"install", "d", "b"}, {"install", "a"}, {"install"}, {"install", "-m", "u+x", "a", "b"}, {"install", "a", "b.txt", "nope"},
		{"install", "-v", "a", "b"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}
