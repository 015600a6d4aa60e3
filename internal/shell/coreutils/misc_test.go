package coreutils

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wasmbox/wasmbox/internal/shell"
)

func TestSmallUtilities(t *testing.T) {
	var cases []gnuCase
	for _, argv := range [][]string{
		{"true"}, {"false"},
		{"seq", "3"}, {"seq", "2", "5"}, {"seq", "10", "-3", "1"}, {"seq", "-1", "1"}, {"seq", "1", "0.5", "3"},
		{"seq", "-w", "8", "10"}, {"seq", "-s", ",", "3"}, {"seq", "-f", "%.2f", "1", "2"}, {"seq", "5", "1"},
		{"seq", "1", "0", "3"}, {"seq", "x"}, {"seq"}, {"seq", "0.1", "0.1", "0.3"},
		{"printenv", "LC_ALL"}, {"printenv", "LC_ALL", "NOPE", "TZ"}, {"printenv"},
		{"env"}, {"env", "-i", "A=1", "B=2"}, {"env", "-u", "TZ", "printenv", "TZ"}, {"env", "X=1", "printenv", "X"},
		{"sleep", "0"}, {"sleep", "x"}, {"sleep"}, {"sleep", "0.01s"},
		{"basename", "--suffix=.c", "x.c"},
		{"whoami"}, {"id"}, {"id", "-u"}, {"id", "-un"}, {"id", "-g"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), argv: argv})
	}
	runGNUCases(t, cases)
}

func TestSystemNames(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"uname"}, "Linux\n"},
		{[]string{"uname", "-s", "-m"}, "Linux wasm32\n"},
		{[]string{"uname", "-a"}, "Linux wasmbox 6.1.0-wasmbox #1 SMP wasmbox wasm32 GNU/Linux\n"},
		{[]string{"hostname"}, "wasmbox\n"},
		{[]string{"nproc"}, "1\n"},
		{[]string{"which", "cat", "sh-does-not-exist"}, "/usr/bin/cat\n"},
	} {
		t.Run(fmtArgv(tc.argv), func(t *testing.T) {
			got := runOurs(t, t.TempDir(), tc.argv, "")
			assert.Equal(t, tc.want, got.stdout)
		})
	}
}

func TestWhichFindsExecutablesOnPath(t *testing.T) {
	dir := makeTree(t, files{"usr/local/bin/tool*": "#!/bin/sh\n", "usr/local/bin/plain": ""})
	var out, errb bytes.Buffer
	inv := testInv(dir, []string{"which", "-a", "tool", "plain"}, "", &out, &errb)
	inv.Env = []string{"PATH=/usr/local/bin:/usr/bin"}
	code := runUtil(context.Background(), inv)
	assert.Equal(t, "/usr/local/bin/tool\n", out.String())
	assert.Equal(t, 1, code, "plain is not executable")
}

func TestYesStopsWhenItsReaderGoes(t *testing.T) {
	r, w := io.Pipe()
	done := make(chan int, 1)
	inv := &shell.Invocation{Args: []string{"yes", "ab"}, Stdin: strings.NewReader(""), Stdout: w, Stderr: io.Discard}
	go func() { done <- runUtil(context.Background(), inv) }()
	buf := make([]byte, 6)
	_, err := io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, "ab\nab\n", string(buf))
	r.Close()
	assert.Equal(t, exitBrokenPipe, <-done)
}

func TestSleepStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	inv := &shell.Invocation{Args: []string{"sleep", "1000"}, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	go func() { done <- runUtil(ctx, inv) }()
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitCanceled, code)
	case <-time.After(10 * time.Second):
		t.Fatal("sleep did not stop with its context")
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"sed", "--version"}, "sed (GNU-compatible) wasmbox\n"},
		{[]string{"ls", "x", "--version"}, "ls (GNU-compatible) wasmbox\n"},
		{[]string{"env", "printenv", "--version"}, "printenv (GNU-compatible) wasmbox\n"},
	} {
		t.Run(fmtArgv(tc.argv), func(t *testing.T) {
			assert.Equal(t, result{tc.want, "", 0}, runOurs(t, t.TempDir(), tc.argv, ""))
		})
	}
	help := runOurs(t, t.TempDir(), []string{"grep", "--help"}, "")
	assert.Equal(t, 0, help.code)
	assert.Contains(t, help.stdout, "Usage: grep [OPTION]...")
	assert.Contains(t, help.stdout, "  --fixed-strings\n")
	assert.Contains(t, help.stdout, "  -e ARG\n")
}
