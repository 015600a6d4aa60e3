package coreutils

import "testing"

func TestExpr(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"expr", "1", "+", "2"}, {"expr", "7", "/", "2"}, {"expr", "7", "%", "3"}, {"expr", "2", "*", "(", "3", "+", "4", ")"},
		{"expr", "3", "-", "5"}, {"expr", "1", "/", "0"}, {"expr", "a", "+", "1"}, {"expr", "0"}, {"expr", ""}, {"expr", "abc"},
		{"expr", "2", "<", "10"}, {"expr", "b", ">", "a"}, {"expr", "abc", "=", "abc"}, {"expr", "1", "!=", "1"},
		{"expr", "hello.txt", ":", ".*\\.\\(txt\\)"}, {"expr", "hello", ":", "hel"}, {"expr", "hello", ":", "x"},
		{"expr", "length", "hello"}, {"expr", "substr", "hello", "2", "3"}, {"expr", "index", "hello", "lo"},
		{"expr", "match", "abc123", "[a-z]*"}, {"expr", "0", "|", "5"}, {"expr", "3", "&", "0"}, {"expr", "", "|", "0"},
		{"expr", "99999999999999999999", "+", "1"}, {"expr"}, {"expr", "1", "+"}, {"expr", "(", "1"}, {"expr", "1", "2"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), argv: argv})
	}
	runGNUCases(t, cases)
}
