package coreutils

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDate(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"date", "-d", "@1704164645"}, {"date", "-u", "-d", "@0", "+%Y-%m-%d %H:%M:%S"}, {"date", "-d", "@1704164645", "+%s %j %u %w %a %A %b %B"},
		{"date", "-d", "@1704164645", "+%F %T %D %R %e %k %l %I %p %P %y %C %G %V %U %W %%"}, {"date", "-d", "@1704164645.5", "+%N"},
		{"date", "-d", "@1704164645", "+%-d %_m %-H|%z|%:z|%Z"}, {"date", "-d", "2024-03-04 05:06:07", "+%s"}, {"date", "-d", "2024-03-04", "+%F %T"},
		{"date", "-d", "2024-03-04T05:06:07Z", "+%s"}, {"date", "-d", "2024-03-04 +2 days", "+%F"}, {"date", "-d", "2024-03-04 1 week ago", "+%F"},
		{"date", "-I", "-d", "@1704164645"}, {"date", "-Iseconds", "-d", "@1704164645"}, {"date", "--iso-8601=ns", "-d", "@1704164645"},
		{"date", "-R", "-d", "@1704164645"}, {"date", "--rfc-3339=seconds", "-d", "@1704164645"}, {"date", "-d", "bogus"},
		{"date", "-r", "a", "+%s"}, {"date", "-r", "nope"}, {"date", "extra"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: files{"a": "x"}, argv: argv})
	}
	runGNUCases(t, cases)
}

// TestDateUsesTheConfiguredClock checks date, touch and ls against a
// fixed clock (the deterministic mode's).
func TestDateUsesTheConfiguredClock(t *testing.T) {
	clock := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	cmds := Commands(Config{Now: func() time.Time { return clock }, Rand: strings.NewReader(strings.Repeat("\x00\x01\x02", 100))})
	dir := t.TempDir()
	run := func(argv ...string) string {
		var out, errb bytes.Buffer
		code := cmds[argv[0]](context.Background(), testInv(dir, argv, "", &out, &errb))
		require.Equal(t, 0, code, errb.String())
		return out.String()
	}
	assert.Equal(t, "Mon May  6 07:08:09 UTC 2030\n", run("date"))
	assert.Equal(t, "2030-05-07\n", run("date", "-d", "tomorrow", "+%F"))
	run("touch", "f")
	assert.Equal(t, "1904281689\n", run("stat", "-c", "%Y", "f"))
	assert.Equal(t, "/tmp/tmp.abcabcabca\n", run("mktemp", "-u"))
}
