package coreutils

import (
	"fmt"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	var long1, long2 strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&long1, "line %d\n", i)
		if i == 5 || i == 30 {
			fmt.Fprintf(&long2, "changed %d\n", i)
		} else if i != 20 {
			fmt.Fprintf(&long2, "line %d\n", i)
		}
	}
	long2.WriteString("extra\n")
	diffTree := files{
		"a": "one\ntwo\nthree\n", "b": "one\n2\nthree\nfour\n", "same": "one\ntwo\nthree\n", "empty": "",
		"nonl": "one\ntwo", "long1": long1.String(), "long2": long2.String(), "case": "ONE\ntwo\nthree\n",
		"space": "one \n  two\nthree\n", "bin": "a\x00b", "bin2": "a\x00c",
		"x/": "", "x/f": "1\n2\n", "x/only": "o\n", "x/sub/": "", "x/sub/g": "g\n",
		"y/": "", "y/f": "1\n3\n", "y/sub/": "", "y/sub/g": "G\n", "y/new": "n\n",
	}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"diff", "a", "same"}, {"diff", "a", "b"}, {"diff", "-u", "a", "b"}, {"diff", "-U", "1", "long1", "long2"}, {"diff", "-u", "long1", "long2"},
		{"diff", "long1", "long2"}, {"diff", "-u", "a", "nonl"}, {"diff", "nonl", "a"}, {"diff", "-u", "empty", "a"}, {"diff", "-u", "a", "empty"},
		{"diff", "-q", "a", "b"}, {"diff", "-s", "a", "same"}, {"diff", "-i", "a", "case"}, {"diff", "-w", "a", "space"}, {"diff", "-b", "a", "space"},
		{"diff", "a", "nope"}, {"diff", "bin", "bin2"}, {"diff", "-a", "bin", "bin2"}, {"diff", "x", "y"}, {"diff", "-r", "x", "y"},
		{"diff", "-ru", "x", "y"}, {"diff", "-ruN", "x", "y"}, {"diff", "-q", "-r", "x", "y"}, {"diff", "a"}, {"diff", "x/f", "y"},
		{"diff", "--label", "old", "--label", "new", "-u", "a", "b"}, {"diff", "-u0", "a", "b"}, {"diff", "a", "x"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: diffTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: diffTree, argv: []string{"diff", "a", "-"}, stdin: "one\ntwo\n"})
	runGNUCases(t, cases)
}
