package coreutils

import "testing"

func TestNames(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"basename", "/usr/lib/x.so"}, {"basename", "/usr/lib/x.so", ".so"}, {"basename", "x.so", "x.so"},
		{"basename", "a/b//"}, {"basename", "//"}, {"basename", ""}, {"basename", "-a", "a/b", "/c/d/"},
		{"basename", "-s", ".c", "a/x.c", "y.c"}, {"basename"}, {"basename", "a", "b", "c"},
		{"dirname", "/usr/lib/x.so"}, {"dirname", "x"}, {"dirname", "/x"}, {"dirname", "a/b/"},
		{"dirname", "//"}, {"dirname", "a//b//c"}, {"dirname", ""}, {"dirname", "a", "/b/c"}, {"dirname"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), argv: argv})
	}
	runGNUCases(t, cases)
}
