package coreutils

import "testing"

func TestLs(t *testing.T) {
	lsTree := files{
		"a": "hello\n", "b.txt": "world\n", ".hidden": "h", "d/": "", "d/x": "x\n", "d/e/": "",
		"d/e/y": "y\n", "empty/": "", "la@": "a", "ld@": "d", "dangle@": "nowhere",
		"run.sh*": "#!/bin/sh\n", "big": string(make([]byte, 5000)), "huge": string(make([]byte, 1536000)),
	}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"ls"}, {"ls", "-a"}, {"ls", "-A"}, {"ls", "-1"}, {"ls", "d"}, {"ls", "a", "d", "empty"},
		{"ls", "-l"}, {"ls", "-la", "d"}, {"ls", "-lh"}, {"ls", "-l", "d", "a"}, {"ls", "-ln"},
		{"ls", "-R"}, {"ls", "-R", "d"}, {"ls", "-lR", "d"}, {"ls", "-d", "d", "a"}, {"ls", "-ld", "."},
		{"ls", "-r"}, {"ls", "-S"}, {"ls", "-Sr", "-l"}, {"ls", "-F"}, {"ls", "-p"}, {"ls", "-lF"},
		{"ls", "ld"}, {"ls", "-l", "ld"}, {"ls", "ld/"}, {"ls", "-L", "ld", "la"}, {"ls", "dangle"},
		{"ls", "nope"}, {"ls", "nope", "a"}, {"ls", "-z"}, {"ls", "--color=never", "d"}, {"ls", "--all", "d"},
		{"ls", "-lg", "a"}, {"ls", "-lo", "a"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: lsTree, argv: argv})
	}
	runGNUCases(t, cases)
}
