package coreutils

import (
	"strings"
	"testing"
)

var dataTree = files{
	"a":     "hello\n",
	"b":     "hellp\nmore\n",
	"c":     "hello\nmore\n",
	"empty": "",
	"big":   strings.Repeat("0123456789abcdef", 100),
	"d/":    "",
	"enc":   "aGVsbG8K\n",
	"bad":   "!!!\n",
	"sums":  "b1946ac92492d2347c6235b4d2611184  a\n0000000000000000000000000000000000000000000000000000000000000000  b\n",
	"sum256": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a\n" +
		"0000000000000000000000000000000000000000000000000000000000000000  b\n" +
		"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  nope\nbroken line\n",
	"good256": "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a\n",
}

func TestBase64(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"base64", "a"}, {"base64", "big"}, {"base64", "-w", "20", "big"}, {"base64", "-w0", "big"}, {"base64", "empty"},
		{"base64", "-d", "enc"}, {"base64", "-d", "bad"}, {"base64", "nope"}, {"base64", "-w", "x", "a"}, {"base64", "a", "b"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: dataTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: dataTree, argv: []string{"base64"}, stdin: "some data"},
		gnuCase{name: "decode stdin garbage", tree: dataTree, argv: []string{"base64", "-di"}, stdin: "aGV*sbG8K\n"})
	runGNUCases(t, cases)
}

func TestChecksums(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"md5sum", "a", "b"}, {"sha1sum", "a"}, {"sha256sum", "a", "big"}, {"sha512sum", "a"}, {"sha224sum", "a"}, {"sha384sum", "a"},
		{"sha256sum", "nope", "a"}, {"sha256sum", "--tag", "a"}, {"md5sum", "-c", "sums"}, {"sha256sum", "-c", "sum256"},
		{"sha256sum", "-c", "good256"}, {"sha256sum", "--quiet", "-c", "sum256"}, {"sha256sum", "--status", "-c", "sum256"},
		{"sha256sum", "-c", "a"}, {"sha256sum", "d"}, {"sha256sum", "--ignore-missing", "-c", "good256"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: dataTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: dataTree, argv: []string{"sha256sum"}, stdin: "x"},
		gnuCase{name: "check stdin", tree: dataTree, argv: []string{"sha256sum", "-c"}, stdin: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  a\n"})
	runGNUCases(t, cases)
}

func TestCmp(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"cmp", "a", "a"}, {"cmp", "a", "b"}, {"cmp", "a", "c"}, {"cmp", "c", "a"}, {"cmp", "-s", "a", "b"}, {"cmp", "-l", "a", "b"},
		{"cmp", "empty", "a"}, {"cmp", "a", "nope"}, {"cmp", "-b", "a", "b"}, {"cmp"}, {"cmp", "-n", "4", "a", "b"}, {"cmp", "b", "c"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: dataTree, argv: argv})
	}
	runGNUCases(t, cases)
}
