package coreutils

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMktemp(t *testing.T) {
	for _, tc := range []struct {
		argv  []string
		want  string // a regexp of the name printed
		isDir bool
		mode  os.FileMode
	}{
		{[]string{"mktemp"}, `^/tmp/tmp\.[A-Za-z0-9]{10}$`, false, 0o600},
		{[]string{"mktemp", "-d"}, `^/tmp/tmp\.[A-Za-z0-9]{10}$`, true, 0o700},
		{[]string{"mktemp", "work/fooXXXX"}, `^work/foo[A-Za-z0-9]{4}$`, false, 0o600},
		{[]string{"mktemp", "-p", "work", "xXXXXXX.txt"}, `^work/x[A-Za-z0-9]{6}\.txt$`, false, 0o600},
		{[]string{"mktemp", "-t", "job.XXXXXX"}, `^/tmp/job\.[A-Za-z0-9]{6}$`, false, 0o600},
		{[]string{"mktemp", "-d", "--suffix=.d", "work/dXXX"}, `^work/d[A-Za-z0-9]{3}\.d$`, true, 0o700},
	} {
		t.Run(fmtArgv(tc.argv), func(t *testing.T) {
			dir := makeTree(t, files{"tmp/": "", "work/": ""})
			got := runOurs(t, dir, tc.argv, "")
			require.Equal(t, 0, got.code, got.stderr)
			name := strings.TrimSuffix(got.stdout, "\n")
			assert.Regexp(t, regexp.MustCompile(tc.want), name)
			st, err := os.Stat(filepath.Join(dir, name))
			require.NoError(t, err)
			assert.Equal(t, tc.isDir, st.IsDir())
			assert.Equal(t, tc.mode, st.Mode().Perm())
		})
	}
	runGNUCases(t, []gnuCase{
		{name: "too few Xs", tree: files{"tmp/": ""}, argv: []string{"mktemp", "fooXX"}},
		{name: "missing directory", tree: files{"tmp/": ""}, argv: []string{"mktemp", "nodir/fooXXXXXX"}},
	})
}
