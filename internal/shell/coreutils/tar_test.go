package coreutils

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tarTree is what the tar tests archive.
var tarTree = files{
	"w/":         "",
	"w/a":        "hello\n",
	"w/run.sh*":  "#!/bin/sh\n",
	"w/sub/":     "",
	"w/sub/b":    "bee\n",
	"w/sub/l@":   "../a",
	"w/skip.log": "log\n",
	"w/empty/":   "",
	"other":      "x\n",
}

// gnuTar runs the host's tar in dir.
func gnuTar(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("tar", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestTarCreateExtractsWithGNU(t *testing.T) {
	for _, tc := range []struct {
		name string
		argv []string
	}{
		{"plain", []string{"tar", "-cf", "out.tar", "-C", "w", "."}},
		{"gzip old style", []string{"tar", "czf", "out.tar", "w"}},
		{"exclude", []string{"tar", "-c", "-f", "out.tar", "--exclude=*.log", "--exclude", "./w/empty", "w"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := makeTree(t, tarTree)
			got := runOurs(t, dir, tc.argv, "")
			require.Equal(t, result{"", "", 0}, got)
			// GNU extracts our archive; it must match GNU's own.
			ours, theirs := t.TempDir(), t.TempDir()
			gnuTar(t, ours, "-xf", filepath.Join(dir, "out.tar"))
			gnuDir := makeTree(t, tarTree)
			gnuTar(t, gnuDir, append(tc.argv[1:2], tc.argv[2:]...)...)
			gnuTar(t, theirs, "-xf", filepath.Join(gnuDir, "out.tar"))
			assert.Equal(t, snapshot(t, theirs), snapshot(t, ours))
		})
	}
}

func TestTarReadsGNUArchives(t *testing.T) {
	for _, tc := range []struct {
		name   string
		create []string
		argv   []string
	}{
		{"list", []string{"-cf", "in.tar", "w"}, []string{"tar", "-tf", "in.tar"}},
		{"list verbose", []string{"-cf", "in.tar", "w"}, []string{"tar", "tvf", "in.tar"}},
		{"list gzip without -z", []string{"-czf", "in.tgz", "w"}, []string{"tar", "-tvf", "in.tgz"}},
		{"list members", []string{"-cf", "in.tar", "w"}, []string{"tar", "-tf", "in.tar", "w/sub"}},
		{"list missing member", []string{"-cf", "in.tar", "w"}, []string{"tar", "-tf", "in.tar", "w/nope"}},
		{"extract", []string{"-cf", "in.tar", "w"}, []string{"tar", "-xf", "in.tar", "-C", "x"}},
		{"extract verbose strip", []string{"-czf", "in.tgz", "w"}, []string{"tar", "-xvzf", "in.tgz", "-C", "x", "--strip-components=1"}},
		{"extract to stdout", []string{"-cf", "in.tar", "w/a", "w/sub/b"}, []string{"tar", "-xOf", "in.tar"}},
		{"extract exclude", []string{"-cf", "in.tar", "w"}, []string{"tar", "-xf", "in.tar", "-C", "x", "--exclude=sub"}},
		{"missing archive", []string{"-cf", "in.tar", "w"}, []string{"tar", "-xf", "nope.tar"}},
		{"not an archive", []string{"-cf", "in.tar", "w"}, []string{"tar", "-tf", "other"}},
		{"no mode", []string{"-cf", "in.tar", "w"}, []string{"tar", "-f", "in.tar"}},
		{"empty create", []string{"-cf", "in.tar", "w"}, []string{"tar", "-cf", "new.tar"}},
		{"create missing", []string{"-cf", "in.tar", "w"}, []string{"tar", "-cf", "new.tar", "nope", "other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gnuDir, ourDir := makeTree(t, tarTree), makeTree(t, tarTree)
			for _, d := range []string{gnuDir, ourDir} {
				gnuTar(t, d, tc.create...)
				require.NoError(t, os.Mkdir(filepath.Join(d, "x"), 0o755))
			}
			want := runGNU(t, gnuDir, tc.argv, "")
			got := runOurs(t, ourDir, tc.argv, "")
			assert.Equal(t, want, got)
			if tc.argv[1] != "-tf" {
				assert.Equal(t, snapshot(t, filepath.Join(gnuDir, "x")), snapshot(t, filepath.Join(ourDir, "x")))
			}
		})
	}
}

func TestTarStdoutPipeline(t *testing.T) {
	dir := makeTree(t, tarTree)
	archive := runOurs(t, dir, []string{"tar", "-C", "w", "-cf", "-", "."}, "")
	require.Equal(t, 0, archive.code, archive.stderr)
	listed := runOurs(t, dir, []string{"tar", "-tf", "-"}, archive.stdout)
	assert.Equal(t, "./\n./a\n./empty/\n./run.sh\n./skip.log\n./sub/\n./sub/b\n./sub/l\n", listed.stdout)
	// The same tree gives the same bytes: a fingerprint is stable.
	again := runOurs(t, dir, []string{"tar", "-C", "w", "-cf", "-", "."}, "")
	assert.Equal(t, archive.stdout, again.stdout)
}

func TestTarExtractStaysInItsDirectory(t *testing.T) {
	// An archive whose link points out, then a member written through it.
	dir := makeTree(t, files{"evil/": "", "x/": "", "outside/": ""})
	require.NoError(t, os.Symlink("../outside", filepath.Join(dir, "evil", "link")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "payload"), []byte("p"), 0o644))
	gnuTar(t, dir, "-cf", "evil.tar", "-C", "evil", "link")
	gnuTar(t, dir, "-rf", "evil.tar", "--transform=s,payload,link/payload,", "payload")
	gnuTar(t, dir, "-rf", "evil.tar", "--transform=s,payload,../up,", "payload")
	got := runOurs(t, dir, []string{"tar", "-xf", "evil.tar", "-C", "x"}, "")
	assert.Equal(t, 2, got.code)
	assert.Contains(t, got.stderr, "tar: link/payload: Cannot open: refusing to extract through the symbolic link link\n")
	assert.Contains(t, got.stderr, "tar: ../up: Member name contains '..'\n")
	assert.NoFileExists(t, filepath.Join(dir, "outside", "payload"))
	assert.NoFileExists(t, filepath.Join(dir, "up"))
}

func TestTarExcludePatterns(t *testing.T) {
	dir := makeTree(t, files{"a[1]/": "", "a[1]/f": "x\n", "a1/": "", "a1/g": "y\n", "keep": "k\n"})
	for _, tc := range []struct {
		name string
		argv []string
		want string
	}{
		{"glob", []string{"tar", "--exclude=./a[1]", "-cf", "-", "."}, "./\n./a[1]/\n./a[1]/f\n./keep\n"},
		{"escaped glob", []string{"tar", "--exclude=./a\\[1\\]", "-cf", "-", "."}, "./\n./a1/\n./a1/g\n./keep\n"},
		{"no wildcards", []string{"tar", "--no-wildcards", "--exclude=./a[1]", "-cf", "-", "."}, "./\n./a1/\n./a1/g\n./keep\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := runOurs(t, dir, tc.argv, "")
			require.Equal(t, 0, archive.code, archive.stderr)
			listed := runOurs(t, dir, []string{"tar", "-tf", "-"}, archive.stdout)
			assert.Equal(t, tc.want, listed.stdout)
		})
	}
	help := runOurs(t, dir, []string{"tar", "--help"}, "")
	assert.Contains(t, help.stdout, "--no-wildcards")
}
