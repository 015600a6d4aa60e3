package coreutils

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"golang.org/x/sys/unix"

	"github.com/wasmbox/wasmbox/internal/shell"
)

// testEnviron is the environment both GNU's utilities and ours run with.
var testEnviron = []string{"LC_ALL=C", "TZ=UTC", "PATH=/usr/bin:/bin", "HOME=/root"}

// fixedTime is the modification time of every file a test tree holds.
var fixedTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// files describes a test tree: a name ending in "/" is a directory, one
// ending in "@" a symbolic link to the value, one ending in "*" an
// executable file; anything else a file with the value as content.
type files map[string]string

// makeTree builds fs under a new temporary directory.
func makeTree(t *testing.T, tree files) string {
	t.Helper()
	dir := t.TempDir()
	names := make([]string, 0, len(tree))
	for n := range tree {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v := tree[n]
		switch {
		case strings.HasSuffix(n, "/"):
			require.NoError(t, os.MkdirAll(filepath.Join(dir, n), 0o755))
		case strings.HasSuffix(n, "@"):
			p := filepath.Join(dir, strings.TrimSuffix(n, "@"))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.Symlink(v, p))
		default:
			mode := fs.FileMode(0o644)
			if strings.HasSuffix(n, "*") {
				n, mode = strings.TrimSuffix(n, "*"), 0o755
			}
			p := filepath.Join(dir, n)
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte(v), mode))
			require.NoError(t, os.Chmod(p, mode))
		}
	}
	// Times last, deepest first, so making entries does not move them.
	for i := len(names) - 1; i >= 0; i-- {
		n := strings.TrimRight(names[i], "/*@")
		tv := []unix.Timeval{unix.NsecToTimeval(fixedTime.UnixNano()), unix.NsecToTimeval(fixedTime.UnixNano())}
		require.NoError(t, unix.Lutimes(filepath.Join(dir, n), tv))
	}
	require.NoError(t, os.Chtimes(dir, fixedTime, fixedTime))
	return dir
}

// result is what a command left: its output, status and tree.
type result struct {
	stdout, stderr string
	code           int
}

// runGNU runs the host's GNU utility in dir.
func runGNU(t *testing.T, dir string, argv []string, stdin string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = testEnviron
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(t, err)
	}
	// Our utilities see dir as "/".
	clean := func(s string) string { return strings.ReplaceAll(s, dir, "") }
	return result{clean(out.String()), clean(errb.String()), code}
}

// testInv returns an invocation of argv over dir, seen as the sandbox's "/".
func testInv(dir string, argv []string, stdin string, stdout, stderr *bytes.Buffer) *shell.Invocation {
	return &shell.Invocation{
		FS:     sysfs.DirFS(dir),
		Dir:    "/",
		Args:   argv,
		Env:    append([]string(nil), testEnviron...),
		Stdin:  strings.NewReader(stdin),
		Stdout: stdout,
		Stderr: stderr,
		Run:    runUtil,
		LookPath: func(name string) (string, bool) {
			_, ok := testCommand(name)
			return "/usr/bin/" + name, ok
		},
	}
}

// testCommand returns the utility named name as the shell gets it.
func testCommand(name string) (shell.Command, bool) {
	cmd, ok := Commands(Config{})[name]
	return cmd, ok
}

// runUtil runs one of this package's utilities, as the shell's Run does
// for them.
func runUtil(ctx context.Context, inv *shell.Invocation) int {
	cmd, ok := testCommand(inv.Args[0])
	if !ok {
		fmt.Fprintf(inv.Stderr, "sh: %s: command not found\n", inv.Args[0])
		return 127
	}
	return cmd(ctx, inv)
}

// runOurs runs our utility over dir.
func runOurs(t *testing.T, dir string, argv []string, stdin string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := runUtil(context.Background(), testInv(dir, argv, stdin, &out, &errb))
	return result{out.String(), errb.String(), code}
}

// snapshot lists a tree: each entry's path, type, permissions and content
// (or link target), so two trees compare as text.
func snapshot(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(dir, func(p string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := fmt.Sprintf("%s %v", rel, info.Mode())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			line += " -> " + target
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if len(b) < 64 {
				line += fmt.Sprintf(" %q", b)
			} else {
				sum := sha256.Sum256(b)
				line += " sha256:" + hex.EncodeToString(sum[:8])
			}
		}
		out = append(out, line)
		return nil
	})
	require.NoError(t, err)
	return out
}

// gnuCase runs a command with GNU's utility and ours on two copies of a
// tree and expects the same output, status and resulting tree.
type gnuCase struct {
	name  string
	tree  files
	argv  []string
	stdin string
	// gnu, when set, is the GNU command line when it differs from argv
	// (a program GNU spells otherwise).
	gnu []string
	// anyOrder compares standard output's lines as sets: GNU walks
	// directories in the host's order, ours in name order.
	anyOrder bool
}

func runGNUCases(t *testing.T, cases []gnuCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gnuDir, ourDir := makeTree(t, tc.tree), makeTree(t, tc.tree)
			gnuArgv := tc.gnu
			if gnuArgv == nil {
				gnuArgv = tc.argv
			}
			want := runGNU(t, gnuDir, gnuArgv, tc.stdin)
			got := runOurs(t, ourDir, tc.argv, tc.stdin)
			if tc.anyOrder {
				lines := func(s string) []string {
					return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == 0 })
				}
				assert.ElementsMatch(t, lines(want.stdout), lines(got.stdout), "stdout")
			} else {
				assert.Equal(t, want.stdout, got.stdout, "stdout")
			}
			assert.Equal(t, want.stderr, got.stderr, "stderr")
			assert.Equal(t, want.code, got.code, "exit status")
			assert.Equal(t, snapshot(t, gnuDir), snapshot(t, ourDir), "tree")
		})
	}
}

// fmtArgv names a test row after its command line.
func fmtArgv(argv []string) string {
	return strings.Join(argv, " ")
}
