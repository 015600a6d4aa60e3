package coreutils

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

var awkTree = files{
	"t":    "alice 28 london\nbob 32 paris\ncarol 45 berlin\n",
	"keys": "bob\ncarol\n",
	"csv":  "a,b,c\n1,2,3\n",
	"prog": "{ s += $2 } END { print s }\n",
}

func TestAwk(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"awk", "{print $1}", "t"}, {"awk", "{print $NF, NR}", "t"}, {"awk", "-F,", "{print $2}", "csv"},
		{"awk", "-F", ",", "-v", "OFS=|", "{$1=$1; print}", "csv"}, {"awk", "$2 > 30", "t"}, {"awk", "-f", "prog", "t"},
		{"awk", "-v", "x=5", "BEGIN{print x*2}"}, {"awk", "NR==FNR{k[$1];next} $1 in k", "keys", "t"},
		{"awk", "{print FNR, $1}", "keys", "t"}, {"awk", "END{print NR}", "t", "keys"}, {"awk", "{print n, $1}", "n=1", "keys", "n=2", "keys"},
		{"awk", "BEGIN{printf \"%5.2f|%-4s|%d\\n\", 3.14159, \"ab\", 42}"}, {"awk", "{a[$3]=$1} END{for(k in a) n++; print n}", "t"},
		{"awk", "BEGIN{print length(\"hello\"), substr(\"hello\",2,3), index(\"hello\",\"l\"), toupper(\"x\")}"},
		{"awk", "{gsub(/o/,\"0\"); print}", "t"}, {"awk", "BEGIN{exit 3}"}, {"awk", "BEGIN{split(\"a:b:c\",p,\":\"); print p[3]}"},
		{"awk", "/bob/,/carol/{print $1}", "t"}, {"awk", "BEGIN{print ENVIRON[\"TZ\"]}"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: awkTree, argv: argv})
	}
	cases = append(cases, gnuCase{name: "stdin", tree: awkTree, argv: []string{"awk", "{print $2}"}, stdin: "a b\nc d\n"})
	runGNUCases(t, cases)
}

func TestAwkStaysInTheSandbox(t *testing.T) {
	dir := makeTree(t, awkTree)
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"system", []string{"awk", "BEGIN{system(\"echo hi\")}"}},
		{"pipe", []string{"awk", "BEGIN{print \"x\" | \"cat\"}"}},
		{"file write", []string{"awk", "BEGIN{print \"x\" > \"/tmp/awk-escape\"}"}},
		{"file read", []string{"awk", "BEGIN{getline l < \"/etc/passwd\"; print l}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runOurs(t, dir, tc.argv, "")
			assert.Equal(t, 2, got.code)
			assert.Empty(t, got.stdout)
			assert.Contains(t, got.stderr, "awk: ")
		})
	}
	assert.NoFileExists(t, "/tmp/awk-escape")
}

func TestAwkMissingFile(t *testing.T) {
	got := runOurs(t, makeTree(t, awkTree), []string{"awk", "{print}", "nope"}, "")
	assert.Equal(t, result{"", "awk: cannot open nope (No such file or directory)\n", 2}, got)
}
