package coreutils

import "testing"

var sedTree = files{
	"f":      "hello world\nfoo bar\nbaz qux\nhello again\nlast line\n",
	"g":      "one\ntwo\nthree\n",
	"nonl":   "a\nb",
	"script": "s/hello/bye/\n/foo/d\n",
	"d/":     "",
}

func TestSed(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"sed", "s/hello/bye/", "f"}, {"sed", "s/o/0/g", "f"}, {"sed", "s/o/0/2", "f"}, {"sed", "-n", "s/hello/X/p", "f"},
		{"sed", "s/\\(hel\\)lo/[\\1]/", "f"}, {"sed", "-E", "s/(h)(e)/\\2\\1/g", "f"}, {"sed", "s/[a-z]*/<&>/", "f"},
		{"sed", "2d", "f"}, {"sed", "$d", "f"}, {"sed", "/hello/d", "f"}, {"sed", "2,3d", "f"}, {"sed", "/foo/,/hello/d", "f"},
		{"sed", "-n", "2p", "f"}, {"sed", "-n", "$p", "f"}, {"sed", "-n", "/a/p", "f"}, {"sed", "-n", "2,+1p", "f"},
		{"sed", "-n", "1~2p", "f"}, {"sed", "0,/hello/d", "f"}, {"sed", "1,/hello/d", "f"}, {"sed", "-n", "/foo/,$p", "f"},
		{"sed", "2!d", "f"}, {"sed", "-e", "s/a/A/", "-e", "s/o/O/", "f"}, {"sed", "s/a/A/;s/o/O/", "f"},
		{"sed", "-f", "script", "f"}, {"sed", "s|/|:|g"}, {"sed", "s/l/L/gI", "f"}, {"sed", "s/HELLO/x/i", "f"},
		{"sed", "y/abc/xyz/", "f"}, {"sed", "=", "g"}, {"sed", "-n", "$=", "f"}, {"sed", "2i\\inserted", "g"},
		{"sed", "2a appended", "g"}, {"sed", "2c\\changed", "g"}, {"sed", "2,3c\\changed", "g"}, {"sed", "$a\\end", "nonl"},
		{"sed", "s/b/B/", "nonl"}, {"sed", "2q", "f"}, {"sed", "2Q", "f"}, {"sed", "q5", "f"}, {"sed", "N;s/\\n/+/", "f"},
		{"sed", "$!N;P;D", "f"}, {"sed", "-n", "h;n;G;p", "f"}, {"sed", "1!G;h;$!d", "g"}, {"sed", "/two/{s/t/T/;s/o/O/}", "g"},
		{"sed", ":a;N;$!ba;s/\\n/,/g", "g"}, {"sed", "s/o/0/;ta;s/$/ no/;b;:a;s/$/ yes/", "g"}, {"sed", "s/.*/\\U&/", "g"},
		{"sed", "s/\\(.\\)\\(.*\\)/\\u\\1\\L\\2/", "f"}, {"sed", "s/x*/-/g", "g"}, {"sed", "s/^/> /", "g"},
		{"sed", "-s", "1d", "f", "g"}, {"sed", "1d", "f", "g"}, {"sed", "-n", "/one/,/two/{=;p}", "g"},
		{"sed", "-E", "s/(o|tw)+/X/", "g"}, {"sed", "s/a\\|e/_/g", "f"}, {"sed", "s/o\\+/0/", "f"}, {"sed", "s/[[:space:]]/_/g", "f"},
		{"sed", "-n", "/hello/{p;q}", "f"}, {"sed", "s/w/W/w out", "f"}, {"sed", "-n", "/foo/w out", "f"},
		{"sed", "s/o/0/3g", "f"}, {"sed", "\\,foo,d", "f"}, {"sed", "/^$/d"}, {"sed", "s/a/b", "f"}, {"sed", "k", "f"},
		{"sed", "s/a/b/q", "f"}, {"sed", "p", "nope", "g"}, {"sed", "b nolabel", "f"}, {"sed", "-z", "s/\\n/,/g", "g"},
		{"sed", "$s/$/\\n/", "g"}, {"sed", "s/e/&&/2", "f"}, {"sed", "1~0p", "g"}, {"sed", "-n", "2,1p", "g"}, {"sed", "0~2d", "f"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: sedTree, argv: argv, stdin: "a/b/c\n\nx\n"})
	}
	runGNUCases(t, cases)
}

func TestSedInPlace(t *testing.T) {
	runGNUCases(t, []gnuCase{
		{name: "in place", tree: sedTree, argv: []string{"sed", "-i", "s/hello/bye/", "f", "g"}},
		{name: "backup", tree: sedTree, argv: []string{"sed", "-i.bak", "2d", "g"}},
		{name: "attached -i with -e", tree: sedTree, argv: []string{"sed", "-i", "-e", "1d", "g"}},
		{name: "-n and -i", tree: sedTree, argv: []string{"sed", "-n", "-i", "2p", "g"}},
		{name: "missing file", tree: sedTree, argv: []string{"sed", "-i", "1d", "nope", "g"}},
		{name: "no file", tree: sedTree, argv: []string{"sed", "-i", "1d"}},
		{name: "quit keeps the rest", tree: sedTree, argv: []string{"sed", "-i", "2q", "f"}},
	})
}
