package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolveWorkspacePath(t *testing.T) {
	for in, want := range map[string]string{
		"/workspace": "/workspace", "/workspace/a/../b": "/workspace/b", "a/b": "/workspace/a/b", ".": "/workspace",
		"/workspace/": "/workspace", "/workspace2": "", "/tmp": "", "..": "", "/workspace/../etc": "", "": "/workspace",
	} {
		t.Run(in, func(t *testing.T) {
			got, ok := resolveWorkspacePath(in)
			assert.Equal(t, want != "", ok)
			if ok {
				assert.Equal(t, want, got)
			}
		})
	}
}

func TestPythonArgv(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want []string
	}{
		{[]string{"python3", "x.py", "a"}, []string{"python3", "/w/x.py", "a"}},
		{[]string{"python", "/abs.py"}, []string{"python3", "/abs.py"}},
		{[]string{"python3.13", "x.py"}, []string{"python3", "/w/x.py"}},
		{[]string{"sh", "-c", "/usr/bin/python3.13 -u x.py"}, []string{"python3", "-u", "/w/x.py"}},
		{[]string{"/usr/local/bin/python3.12", "-u", "-X", "dev", "-Wignore", "d/x.py"}, []string{"python3", "-u", "-X", "dev", "-Wignore", "/w/d/x.py"}},
		{[]string{"python3", "-c", "x.py"}, []string{"python3", "-c", "x.py"}},
		{[]string{"python3", "-uc", "print(1)", "x.py"}, []string{"python3", "-uc", "print(1)", "x.py"}},
		{[]string{"python3", "-m", "mod", "x.py"}, []string{"python3", "-m", "mod", "x.py"}},
		{[]string{"python3", "-", "x.py"}, []string{"python3", "-", "x.py"}},
		{[]string{"python3", "--", "-x.py"}, []string{"python3", "--", "/w/-x.py"}},
		{[]string{"python3", "--check-hash-based-pycs", "never", "x.py"}, []string{"python3", "--check-hash-based-pycs", "never", "/w/x.py"}},
		{[]string{"python3"}, []string{"python3"}},
		{[]string{"sh", "-c", `python3 "my file.py" 'a b' c\ d`}, []string{"python3", "/w/my file.py", "a b", "c d"}},
		{[]string{"bash", "-lc", "python3 -c 'print(1)'", "ignored"}, []string{"python3", "-c", "print(1)"}},
		{[]string{"sh", "-c", "  "}, nil},
	} {
		t.Run(strings.Join(tc.argv, " "), func(t *testing.T) {
			got, err := pythonArgv(tc.argv, "/w")
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	for _, argv := range [][]string{
		{"ls"}, {"sh"}, {"sh", "script.sh"}, {"sh", "-x", "python3"}, {"sh", "-c", "python3 a.py > out"},
		{"sh", "-c", "cd /workspace && python3 a.py"}, {"sh", "-c", "ls"}, {"sh", "-c", "python3 'unterminated"}, {"env", "python3"},
	} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			_, err := pythonArgv(argv, "/w")
			var nr *notRunnable
			assert.ErrorAs(t, err, &nr)
		})
	}
}
