package coreutils

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGzip compares messages and statuses; compressed bytes differ from
// GNU's (another deflate), so TestGzipRoundTripsWithGNU checks those.
func TestGzip(t *testing.T) {
	gzTree := files{"a": strings.Repeat("hello gzip\n", 100), "b.txt": "bee\n", "d/": "", "a.gz@": "b.txt", "bad.gz": "not gzip\n", "plain": "p\n"}
	var cases []gnuCase
	for _, argv := range [][]string{
		{"gzip", "nope"}, {"gzip", "d"}, {"gzip", "a"},
		{"gunzip", "bad.gz"}, {"gunzip", "plain"}, {"gzip", "-d", "nope.gz"}, {"zcat", "bad.gz"}, {"gzip", "-t", "bad.gz"},
	} {
		cases = append(cases, gnuCase{name: fmtArgv(argv), tree: gzTree, argv: argv})
	}
	runGNUCases(t, cases)
}

func TestGzipRoundTripsWithGNU(t *testing.T) {
	dir := makeTree(t, files{"a": strings.Repeat("hello gzip\n", 1000), "b": "bee\n"})
	got := runOurs(t, dir, []string{"gzip", "a", "b"}, "")
	require.Equal(t, result{"", "", 0}, got)
	assert.NoFileExists(t, filepath.Join(dir, "a"))
	out, err := exec.Command("gzip", "-dc", filepath.Join(dir, "a.gz")).Output()
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("hello gzip\n", 1000), string(out))
	// GNU's gzip -l reads the name we stored.
	out, err = exec.Command("gzip", "-lN", filepath.Join(dir, "b.gz")).Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), filepath.Join(dir, "b"))

	require.NoError(t, exec.Command("gzip", "-k", filepath.Join(dir, "a.gz"), "-S", ".x").Run())
	got = runOurs(t, dir, []string{"gunzip", "-c", "b.gz"}, "")
	assert.Equal(t, result{"bee\n", "", 0}, got)
	got = runOurs(t, dir, []string{"gunzip", "b.gz"}, "")
	assert.Equal(t, result{"", "", 0}, got)
	assert.FileExists(t, filepath.Join(dir, "b"))

	piped := runOurs(t, dir, []string{"gzip", "-c"}, "stream data\n")
	back := runOurs(t, dir, []string{"gzip", "-d"}, piped.stdout)
	assert.Equal(t, result{"stream data\n", "", 0}, back)
	cmd := exec.Command("gzip", "-d")
	cmd.Stdin = strings.NewReader(piped.stdout)
	out, err = cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, "stream data\n", string(out))
}
