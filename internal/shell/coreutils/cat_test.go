package coreutils

import "testing"

func TestCat(t *testing.T) {
	tree := files{"a": "one\ntwo\n", "b": "x\n\n\n\ny", "d/": ""}
	runGNUCases(t, []gnuCase{
		{name: "files", tree: tree, argv: []string{"cat", "a", "b"}},
		{name: "stdin", tree: tree, argv: []string{"cat"}, stdin: "in\n"},
		{name: "dash", tree: tree, argv: []string{"cat", "a", "-", "a"}, stdin: "in\n"},
		{name: "missing", tree: tree, argv: []string{"cat", "a", "nope", "b"}},
		{name: "directory", tree: tree, argv: []string{"cat", "d"}},
		{name: "number", tree: tree, argv: []string{"cat", "-n", "a", "b"}},
		{name: "nonblank squeeze ends", tree: tree, argv: []string{"cat", "-bsE", "b"}},
		{name: "bad option", tree: tree, argv: []string{"cat", "-z"}},
	})
}
