package coreutils

import (
	"strings"
	"testing"
)

func TestDu(t *testing.T) {
	duTree := files{"d/": "", "d/a": strings.Repeat("x", 5000), "d/e/": "", "d/e/b": "b\n", "f": "small\n"}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"du", "-s", "d"}, {"du", "d/e"}, {"du", "-sh", "d"}, {"du", "-a", "d/e"}, {"du", "-sb", "d/e"}, {"du", "-s", "f", "d/e"},
		{"du", "-c", "-s", "d/e", "f"}, {"du", "-d", "0", "d"}, {"du", "nope"}, {"du", "--apparent-size", "-s", "f"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: duTree, argv: argv})
	}
	runGNUCases(t, cases)
}
