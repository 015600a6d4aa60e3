package coreutils

import "testing"

var grepTree = files{
	"f":       "apple pie\nBanana split\ncherry tart\napple crumble\nfoo.bar\nfooXbar\nword sword words\n(paren) a+b a{2}\n",
	"g":       "one\ntwo\nthree\n",
	"ctx":     "a\nb\nmatch1\nc\nd\ne\nf\nmatch2\ng\nmatch3\nh\n",
	"pats":    "apple\ncherry\n",
	"bin":     "text\x00binary apple\n",
	"r/":      "",
	"r/x.txt": "apple in r\n",
	"r/s/":    "",
	"r/s/y.c": "apple in s\n",
	"d/":      "",
}

func TestGrep(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"grep", "apple", "f"}, {"grep", "^apple", "f"}, {"grep", "tart$", "f"}, {"grep", "-i", "banana", "f"},
		{"grep", "-v", "apple", "f"}, {"grep", "-n", "apple", "f"}, {"grep", "-c", "apple", "f", "g"}, {"grep", "-l", "apple", "f", "g"},
		{"grep", "-L", "apple", "f", "g"}, {"grep", "-q", "apple", "f"}, {"grep", "-q", "nomatch", "f"}, {"grep", "nomatch", "f"},
		{"grep", "apple", "f", "nope"}, {"grep", "-s", "apple", "nope"}, {"grep", "-q", "apple", "nope", "f"},
		{"grep", "foo.bar", "f"}, {"grep", "-F", "foo.bar", "f"}, {"grep", "-o", "app[a-z]*", "f"}, {"grep", "-w", "word", "f"},
		{"grep", "-x", "cherry tart", "f"}, {"grep", "-E", "apple|cherry", "f"}, {"grep", "apple\\|cherry", "f"},
		{"grep", "-E", "a{2}", "f"}, {"grep", "a\\{1,\\}p", "f"}, {"grep", "(paren)", "f"}, {"grep", "-E", "\\(paren\\)", "f"},
		{"grep", "a+b", "f"}, {"grep", "-E", "a\\+b", "f"}, {"grep", "[[:upper:]]", "f"}, {"grep", "[^a-z ]", "g", "f"},
		{"grep", "-e", "apple", "-e", "one", "f", "g"}, {"grep", "-f", "pats", "f"}, {"grep", "-h", "apple", "f", "g"},
		{"grep", "-H", "one", "g"}, {"grep", "-r", "apple", "r"}, {"grep", "-rl", "apple", "r"}, {"grep", "-r", "--include=*.c", "apple", "r"},
		{"grep", "-r", "--exclude=*.c", "apple", "r"}, {"grep", "-r", "--exclude-dir=s", "apple", "r"}, {"grep", "apple", "d"},
		{"grep", "apple", "bin"}, {"grep", "-a", "apple", "bin"}, {"grep", "-c", "apple", "bin"},
		{"grep", "-A1", "match", "ctx"}, {"grep", "-B2", "match", "ctx"}, {"grep", "-C1", "-n", "match", "ctx"},
		{"grep", "-m1", "apple", "f"}, {"grep", "-m1", "-A1", "match", "ctx"}, {"grep", "-c", "-v", "a", "g"},
		{"grep", "", "g"}, {"grep", "-E", "a(", "f"}, {"grep", "[a", "f"}, {"grep"}, {"grep", "-y", "APPLE", "f"},
		{"grep", "-ow", "word", "f"}, {"grep", "-E", "^(one|two)$", "g"}, {"grep", "\\bsword\\b", "f"}, {"grep", "\\<wo", "f"},
		{"grep", "-e", "", "-v", "g"}, {"grep", "-n", "-e", "o", "--", "g"}, {"grep", "-A", "x", "a", "g"}, {"grep", "--nope", "a"},
		{"egrep", "one|two", "g"}, {"fgrep", "a+b", "f"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: grepTree, argv: argv, anyOrder: len(argv) > 1 && (argv[1] == "-r" || argv[1] == "-rl")})
	}
	cases = append(cases,
		gnuCase{name: "stdin", tree: grepTree, argv: []string{"grep", "b"}, stdin: "abc\nxyz\nbcd\n"},
		gnuCase{name: "stdin names", tree: grepTree, argv: []string{"grep", "-H", "b", "-", "g"}, stdin: "abc\n"},
		gnuCase{name: "recursive default dir", tree: files{"s/": "", "s/a": "apple\n"}, argv: []string{"grep", "-r", "apple"}},
	)
	runGNUCases(t, cases)
}
