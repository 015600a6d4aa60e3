package coreutils

import "testing"

// tree is the usual test tree: files, a nested directory, links.
var tree = files{
	"a":       "hello\n",
	"b.txt":   "world\n",
	"d/":      "",
	"d/x":     "x\n",
	"d/e/":    "",
	"d/e/y":   "y\n",
	"empty/":  "",
	"la@":     "a",
	"ld@":     "d",
	"dangle@": "nowhere",
	"loop@":   "loop",
	"run.sh*": "#!/bin/sh\necho hi\n",
}

func TestMkdirRmdir(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "mkdir", tree: tree, argv: []string{"mkdir", "n1", "n2"}},
		{name: "mkdir exists", tree: tree, argv: []string{"mkdir", "d", "a"}},
		{name: "mkdir missing parent", tree: tree, argv: []string{"mkdir", "p/q"}},
		{name: "mkdir through a file", tree: tree, argv: []string{"mkdir", "a/q"}},
		{name: "mkdir -p", tree: tree, argv: []string{"mkdir", "-p", "p/q/r", "d/e", "--", "d"}},
		{name: "mkdir -p through a file", tree: tree, argv: []string{"mkdir", "-p", "a/q/r"}},
		{name: "mkdir -p on a file", tree: tree, argv: []string{"mkdir", "-p", "a"}},
		{name: "mkdir -m", tree: tree, argv: []string{"mkdir", "-m", "700", "priv", "-m", "u=rwx,g=rx", "g"}},
		{name: "mkdir -pv", tree: tree, argv: []string{"mkdir", "-pv", "p/q"}},
		{name: "mkdir no operand", tree: tree, argv: []string{"mkdir"}},
		{name: "rmdir", tree: tree, argv: []string{"rmdir", "empty"}},
		{name: "rmdir not empty", tree: tree, argv: []string{"rmdir", "d", "empty"}},
		{name: "rmdir not a directory", tree: tree, argv: []string{"rmdir", "a", "nope"}},
		{name: "rmdir ignore non-empty", tree: tree, argv: []string{"rmdir", "--ignore-fail-on-non-empty", "d"}},
		{name: "rmdir -p", tree: files{"p/q/r/": ""}, argv: []string{"rmdir", "-p", "p/q/r"}},
	})
}

func TestRm(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "files", tree: tree, argv: []string{"rm", "a", "b.txt"}},
		{name: "missing", tree: tree, argv: []string{"rm", "a", "nope"}},
		{name: "force missing", tree: tree, argv: []string{"rm", "-f", "nope", "a"}},
		{name: "directory", tree: tree, argv: []string{"rm", "d"}},
		{name: "recursive", tree: tree, argv: []string{"rm", "-rf", "d", "ld", "nope"}},
		{name: "links not followed", tree: tree, argv: []string{"rm", "-r", "ld", "la", "dangle", "loop"}},
		{name: "empty dir -d", tree: tree, argv: []string{"rm", "-d", "empty"}},
		{name: "verbose", tree: tree, argv: []string{"rm", "-rv", "d/e"}},
		{name: "dot", tree: tree, argv: []string{"rm", "-rf", "."}},
		{name: "no operand", tree: tree, argv: []string{"rm"}},
		{name: "no operand -f", tree: tree, argv: []string{"rm", "-f"}},
	})
}

func TestTouch(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "create", tree: tree, argv: []string{"touch", "new", "a"}},
		{name: "no create", tree: tree, argv: []string{"touch", "-c", "new"}},
		{name: "missing dir", tree: tree, argv: []string{"touch", "no/new"}},
		{name: "date then ls", tree: tree, argv: []string{"touch", "-d", "2020-05-06 07:08:09", "a"}},
		{name: "stamp", tree: tree, argv: []string{"touch", "-t", "202001021504.05", "a"}},
		{name: "bad date", tree: tree, argv: []string{"touch", "-d", "not a date", "a"}},
	})
}

func TestLn(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "symlink", tree: tree, argv: []string{"ln", "-s", "a", "l2"}},
		{name: "symlink exists", tree: tree, argv: []string{"ln", "-s", "b.txt", "la"}},
		{name: "symlink force", tree: tree, argv: []string{"ln", "-sf", "b.txt", "la"}},
		{name: "into directory", tree: tree, argv: []string{"ln", "-s", "../a", "d"}},
		{name: "into link to directory", tree: tree, argv: []string{"ln", "-sf", "b.txt", "ld"}},
		{name: "replace link to directory -n", tree: tree, argv: []string{"ln", "-sfn", "empty", "ld"}},
		{name: "many into directory", tree: tree, argv: []string{"ln", "-s", "a", "b.txt", "empty"}},
		{name: "many not directory", tree: tree, argv: []string{"ln", "-s", "a", "b.txt", "a"}},
		{name: "many missing directory", tree: tree, argv: []string{"ln", "-s", "a", "b.txt", "nope"}},
		{name: "one operand", tree: tree, argv: []string{"ln", "-s", "d/x"}},
		{name: "hard", tree: tree, argv: []string{"ln", "a", "hard"}},
		{name: "hard missing", tree: tree, argv: []string{"ln", "nope", "hard"}},
		{name: "hard directory", tree: tree, argv: []string{"ln", "d", "hard"}},
		{name: "verbose", tree: tree, argv: []string{"ln", "-sv", "a", "l3"}},
		{name: "no operand", tree: tree, argv: []string{"ln"}},
	})
}

func TestReadlinkRealpath(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"readlink", "la"}, {"readlink", "a"}, {"readlink", "nope"}, {"readlink", "la", "ld", "a"},
		{"readlink", "-f", "la"}, {"readlink", "-f", "ld/e/y"}, {"readlink", "-f", "d/../ld/x"},
		{"readlink", "-f", "nope"}, {"readlink", "-f", "nope/x"}, {"readlink", "-f", "dangle"},
		{"readlink", "-f", "loop"}, {"readlink", "-e", "dangle"}, {"readlink", "-m", "nope/x/../y"},
		{"readlink", "-n", "la"}, {"readlink", "-fv", "nope/x"}, {"readlink"},
		{"realpath", "d/e/.."}, {"realpath", "la", "ld/e", "d/./e/../x"}, {"realpath", "nope"},
		{"realpath", "nope/x"}, {"realpath", "-e", "nope"}, {"realpath", "-m", "nope/x"},
		{"realpath", "-s", "ld/x"}, {"realpath", "loop"}, {"realpath", "a/x"}, {"realpath", "-q", "nope/x"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: tree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestChmod(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "octal", tree: tree, argv: []string{"chmod", "600", "a", "d"}},
		{name: "symbolic", tree: tree, argv: []string{"chmod", "u+x,g-r", "a"}},
		{name: "who-less", tree: tree, argv: []string{"chmod", "+x", "a", "b.txt"}},
		{name: "dash mode", tree: tree, argv: []string{"chmod", "-w", "a"}},
		{name: "equals", tree: tree, argv: []string{"chmod", "go=", "a"}},
		{name: "copy class", tree: tree, argv: []string{"chmod", "g=u", "run.sh"}},
		{name: "X", tree: tree, argv: []string{"chmod", "-R", "a-x,a+X", "d", "run.sh"}},
		{name: "recursive", tree: tree, argv: []string{"chmod", "-R", "700", "d"}},
		{name: "through link", tree: tree, argv: []string{"chmod", "700", "la"}},
		{name: "sticky setuid", tree: tree, argv: []string{"chmod", "u+s,+t", "empty"}},
		{name: "verbose", tree: tree, argv: []string{"chmod", "-v", "640", "a"}},
		{name: "changes", tree: tree, argv: []string{"chmod", "-c", "644", "a", "b.txt", "run.sh"}},
		{name: "missing", tree: tree, argv: []string{"chmod", "644", "nope", "a"}},
		{name: "bad mode", tree: tree, argv: []string{"chmod", "u+q", "a"}},
		{name: "no file", tree: tree, argv: []string{"chmod", "644"}},
		{name: "no operand", tree: tree, argv: []string{"chmod"}},
	})
}
