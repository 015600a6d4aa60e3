package coreutils

import "testing"

func TestEchoPrintf(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"echo", "a", "b"}, {"echo", "-n", "a"}, {"echo", "-e", "a\\tb\\n\\0101\\x41"}, {"echo", "-e", "x\\cy"}, {"echo", "-E", "a\\tb"},
		{"echo", "-x", "a"}, {"echo"}, {"printf", "%s-%s\\n", "a", "b", "c"}, {"printf", "%d %5.2f %x %o %e\\n", "42", "3.14159", "255", "8", "1234.5"},
		{"printf", "%-5s|%5s|\\n", "ab", "cd"}, {"printf", "%b", "a\\tb\\n"}, {"printf", "%q\\n", "a b'c"}, {"printf", "%c%c\\n", "xyz", "q"},
		{"printf", "%d\\n", "'A"}, {"printf", "%d\\n", "0x1f"}, {"printf", "%s\\n"}, {"printf", "%%\\n"}, {"printf", "\\101\\n"},
		{"printf", "%*d|\\n", "5", "3"}, {"printf", "%.3s\\n", "abcdef"}, {"printf"}, {"printf", "%d\\n", "abc"}, {"printf", "%05d\\n", "-42"},
		{"printf", "%i %u %X\\n", "7", "8", "255"}, {"printf", "%g %G\\n", "0.0001", "1e20"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), argv: argv})
	}
	runGNUCases(t, cases)
}
