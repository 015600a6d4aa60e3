package coreutils

import "testing"

func TestCp(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"cp", "a", "new"}, {"cp", "a", "b.txt"}, {"cp", "a", "b.txt", "empty"}, {"cp", "a", "d/e"},
		{"cp", "run.sh", "copy.sh"}, {"cp", "nope", "x"}, {"cp", "d", "x"}, {"cp", "-r", "d", "x"},
		{"cp", "-r", "d", "empty"}, {"cp", "a", "a"}, {"cp", "la", "x"},
		{"cp", "-r", "la", "ld", "dangle", "empty"}, {"cp", "-rL", "ld", "x"}, {"cp", "-a", "d", "x"},
		{"cp", "-p", "run.sh", "x"}, {"cp", "-n", "a", "b.txt"}, {"cp", "-v", "a", "b.txt", "empty"},
		{"cp", "-rv", "d/e", "x"}, {"cp", "a", "b.txt", "nope"}, {"cp", "a", "b.txt", "la"}, {"cp"}, {"cp", "a"},
		{"cp", "-t", "empty", "a", "b.txt"}, {"cp", "-T", "a", "x"}, {"cp", "-r", "d", "a"}, {"cp", "a", "d"},
		{"cp", "-f", "a", "b.txt"}, {"cp", "a", "no/x"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestMv(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"mv", "a", "new"}, {"mv", "a", "b.txt"}, {"mv", "a", "b.txt", "empty"}, {"mv", "d", "x"},
		{"mv", "d", "empty"}, {"mv", "d", "d/e"}, {"mv", "nope", "x"}, {"mv", "a", "a"}, {"mv", "la", "x"},
		{"mv", "-f", "a", "b.txt"}, {"mv", "-n", "a", "b.txt"}, {"mv", "-v", "a", "b.txt", "empty"},
		{"mv", "a", "b.txt", "nope"}, {"mv", "d", "a"}, {"mv", "a", "d"}, {"mv"}, {"mv", "a"},
		{"mv", "-t", "empty", "a"}, {"mv", "-T", "empty", "d"}, {"mv", "a", "no/x"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}
