package coreutils

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReorderingUtilities(t *testing.T) {
	rt := files{"a": "1\n2\n3\n", "b": "x\ny\n", "nonl": "p\nq", "s1": "apple\nbanana\ncherry\n", "s2": "banana\ncherry\ndate\n"}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"tac", "a"}, {"tac", "nonl"}, {"tac", "a", "b"}, {"tac", "nope"}, {"rev", "a", "b"}, {"rev", "nonl"},
		{"paste", "a", "b"}, {"paste", "-d", ",", "a", "b"}, {"paste", "-s", "a"}, {"paste", "-s", "-d", ":", "a", "b"}, {"paste", "-d", "\\n", "a", "b"},
		{"comm", "s1", "s2"}, {"comm", "-12", "s1", "s2"}, {"comm", "-3", "s1", "s2"}, {"comm", "-23", "s1", "s2"}, {"comm", "s1"},
		{"nice", "true"}, {"nice"}, {"nohup", "false"}, {"timeout", "5", "true"}, {"timeout", "5", "false"}, {"timeout", "x", "true"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: rt, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestTimeoutStopsItsCommand(t *testing.T) {
	got := runOurs(t, t.TempDir(), []string{"timeout", "0.05", "sleep", "100"}, "")
	assert.Equal(t, 124, got.code)
	got = runOurs(t, t.TempDir(), []string{"timeout", "-s", "KILL", "--preserve-status", "0.05", "sleep", "100"}, "")
	assert.Equal(t, 137, got.code)
}
