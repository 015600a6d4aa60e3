package coreutils

import "testing"

func TestOd(t *testing.T) {
	odTree := files{"a": "hello, world\n\x00\x01\x7f\xff", "zeros": string(make([]byte, 64)), "e": ""}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"od", "a"}, {"od", "-c", "a"}, {"od", "-An", "-tx1", "a"}, {"od", "-tx2", "a"}, {"od", "-tx4", "a"}, {"od", "-tu1", "a"},
		{"od", "-td1", "a"}, {"od", "-td2", "a"}, {"od", "-to1", "a"}, {"od", "-ta", "a"}, {"od", "-Ax", "-tx1", "a"}, {"od", "-Ad", "-b", "a"},
		{"od", "-N4", "-tx1", "a"}, {"od", "-j2", "-N3", "-c", "a"}, {"od", "zeros"}, {"od", "-v", "zeros"}, {"od", "-w8", "-tx1", "a"},
		{"od", "e"}, {"od", "nope"}, {"od", "-tq", "a"}, {"od", "-x", "a"}, {"od", "-tx8", "a"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: odTree, argv: argv})
	}
	runGNUCases(t, cases)
}
