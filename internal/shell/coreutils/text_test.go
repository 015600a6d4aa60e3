package coreutils

import (
	"strings"
	"testing"
)

// textTree holds inputs for the text utilities.
var textTree = files{
	"lines":  "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n",
	"short":  "a\nb",
	"nums":   "10\n9\n-2\n3.5\n\n1e3\nabc\n 7\n010\n-0\n",
	"table":  "bob 32 paris\nalice 28 london\ncarol 45 berlin\ndave 28 madrid\nalice 30 oslo\n",
	"csv":    "name,age,city\nbob,32,paris\nalice,28,london\nnodelim\n",
	"dups":   "a\na\nb\nB\nb\nc\nc\nc\nd\n",
	"sizes":  "1K\n512\n2M\n1G\n3K\n",
	"vers":   "v1.10\nv1.2\nv1.9\nv2.0\n",
	"words":  "  hello   world \n\tfoo\nbar baz qux\n",
	"utf":    "héllo wörld\n",
	"d/":     "",
	"binary": "a\x00b\x00c\n",
}

func TestHeadTail(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"head", "lines"}, {"head", "-n", "3", "lines"}, {"head", "-n3", "lines", "short"}, {"head", "-3", "lines"},
		{"head", "-n", "-9", "lines"}, {"head", "-c", "5", "lines"}, {"head", "-c", "-60", "lines"},
		{"head", "-c", "1K", "lines"}, {"head", "-q", "-n1", "lines", "short"}, {"head", "-v", "-n1", "short"},
		{"head", "nope", "short"}, {"head", "-n", "x", "lines"}, {"head", "-n", "1", "short"}, {"head", "d"},
		{"tail", "lines"}, {"tail", "-n", "3", "lines"}, {"tail", "-n", "+10", "lines"}, {"tail", "-3", "lines"},
		{"tail", "-c", "7", "lines"}, {"tail", "-c", "+60", "lines"}, {"tail", "-n", "1", "short"},
		{"tail", "-n", "2", "lines", "short"}, {"tail", "-n", "0", "lines"}, {"tail", "nope"}, {"tail", "-n", "+0", "short"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: textTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: textTree, argv: []string{"head", "-n2"}, stdin: "x\ny\nz\n"},
		gnuCase{name: "stdin dash", tree: textTree, argv: []string{"tail", "-n1", "-", "short"}, stdin: "x\ny\n"})
	runGNUCases(t, cases)
}

func TestWc(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"wc", "lines"}, {"wc", "-l", "lines"}, {"wc", "-w", "words"}, {"wc", "-c", "short"}, {"wc", "lines", "short"},
		{"wc", "-l", "lines", "short"}, {"wc", "-lw", "words"}, {"wc", "-L", "words"}, {"wc", "-m", "utf"},
		{"wc", "nope", "short"}, {"wc", "short", "nope"}, {"wc", "d"}, {"wc", "-l", "binary"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: textTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: textTree, argv: []string{"wc"}, stdin: "a b\nc\n"},
		gnuCase{name: "stdin -l", tree: textTree, argv: []string{"wc", "-l"}, stdin: "a b\nc\n"},
		gnuCase{name: "stdin and file", tree: textTree, argv: []string{"wc", "-l", "-", "short"}, stdin: "a\n"})
	runGNUCases(t, cases)
}

func TestSort(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"sort", "lines"}, {"sort", "-r", "lines"}, {"sort", "-n", "nums"}, {"sort", "-rn", "nums"}, {"sort", "-g", "nums"},
		{"sort", "-u", "dups"}, {"sort", "-f", "dups"}, {"sort", "-uf", "dups"}, {"sort", "-k2", "table"},
		{"sort", "-k2,2n", "table"}, {"sort", "-k2n", "-k1,1", "table"}, {"sort", "-k2,2nr", "-k3", "table"},
		{"sort", "-t,", "-k2", "csv"}, {"sort", "-t", ",", "-k2,2n", "csv"}, {"sort", "-h", "sizes"},
		{"sort", "-V", "vers"}, {"sort", "-k1.2", "table"}, {"sort", "-s", "-k2,2", "table"},
		{"sort", "-c", "lines"}, {"sort", "-c", "dups"}, {"sort", "-C", "lines"}, {"sort", "lines", "short"},
		{"sort", "-o", "out", "lines"}, {"sort", "-o", "lines", "lines"}, {"sort", "nope"}, {"sort", "-b", "words"},
		{"sort", "-d", "csv"}, {"sort", "-k", "0", "lines"}, {"sort", "-t", "ab", "lines"}, {"sort", "-z", "binary"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: textTree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestUniq(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"uniq", "dups"}, {"uniq", "-c", "dups"}, {"uniq", "-d", "dups"}, {"uniq", "-u", "dups"}, {"uniq", "-i", "dups"},
		{"uniq", "-ci", "dups"}, {"uniq", "-f", "1", "table"}, {"uniq", "-s", "1", "dups"}, {"uniq", "-w", "0", "dups"},
		{"uniq", "dups", "out"}, {"uniq", "nope"}, {"uniq", "-f", "x", "dups"}, {"uniq", "a", "b", "c"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: textTree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestCut(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"cut", "-d,", "-f2", "csv"}, {"cut", "-d", ",", "-f", "1,3", "csv"}, {"cut", "-d,", "-f2-", "csv"},
		{"cut", "-d,", "-f-2", "csv"}, {"cut", "-d,", "-s", "-f1", "csv"}, {"cut", "-c", "1-3", "lines"},
		{"cut", "-c2,4-", "lines"}, {"cut", "-b", "1", "lines"}, {"cut", "-d,", "-f2", "--complement", "csv"},
		{"cut", "-d,", "-f1,3", "--output-delimiter=|", "csv"}, {"cut", "-d", " ", "-f2", "table"},
		{"cut", "lines"}, {"cut", "-f0", "lines"}, {"cut", "-f3-2", "lines"}, {"cut", "-d", "ab", "-f1", "csv"},
		{"cut", "-c", "1", "-f", "1", "csv"}, {"cut", "-f1", "nope", "short"}, {"cut", "-c", "x", "csv"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: textTree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestTr(t *testing.T) {
	input := "Hello, World!\n\tTabs  and   spaces 123\naaa bbb\n"
	var cases []gnuCase
	for _, argv := range [][]string{
		{"tr", "a-z", "A-Z"}, {"tr", "[:lower:]", "[:upper:]"}, {"tr", "[:upper:]", "[:lower:]"}, {"tr", "-d", "[:digit:]"},
		{"tr", "-d", "lo"}, {"tr", "-s", " "}, {"tr", "-s", "a-z"}, {"tr", "-cd", "[:alnum:]\\n"}, {"tr", "-c", "a-z", "_"},
		{"tr", "abc", "x"}, {"tr", "-t", "abc", "xy"}, {"tr", "\\t", " "}, {"tr", "\\n", ","}, {"tr", "[:space:]", "[\\n*]"},
		{"tr", "a-c", "[x*2]y"}, {"tr", "-ds", "a", "b"}, {"tr", "-s", "[:space:]", "\\n"}, {"tr", "z-a", "x"},
		{"tr"}, {"tr", "a"}, {"tr", "-d", "a", "b"}, {"tr", "[:nope:]", "x"}, {"tr", "[=a=]", "x"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), argv: argv, stdin: input})
	}
	runGNUCases(t, cases)
}

func TestTee(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "files", tree: textTree, argv: []string{"tee", "o1", "o2"}, stdin: "data\n"},
		{name: "append", tree: textTree, argv: []string{"tee", "-a", "short"}, stdin: "more\n"},
		{name: "bad file", tree: textTree, argv: []string{"tee", "no/o1", "o2"}, stdin: "data\n"},
		{name: "large", tree: textTree, argv: []string{"tee", "big"}, stdin: strings.Repeat("0123456789", 20000)},
	})
}
