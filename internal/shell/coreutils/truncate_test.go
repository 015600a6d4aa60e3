package coreutils

import "testing"

func TestTruncate(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"truncate", "-s", "3", "a"}, {"truncate", "-s", "0", "a", "new"}, {"truncate", "-s", "+2", "a"}, {"truncate", "-s", "-2", "a"},
		{"truncate", "-s", "<2", "a"}, {"truncate", "-s", ">100", "a"}, {"truncate", "-c", "-s", "1", "new"}, {"truncate", "-r", "a", "new"},
		{"truncate", "a"}, {"truncate", "-s", "1"}, {"truncate", "-s", "x", "a"}, {"truncate", "-s", "1", "no/x"}, {"truncate", "-s", "1K", "a"},
		{"sync"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}
