package server

import (
	"errors"
	"reflect"
	"testing"
)

func TestResolveWorkspacePath(t *testing.T) {
	for in, want := range map[string]string{
		"/workspace": "/workspace", "/workspace/a/../b": "/workspace/b", "a/b": "/workspace/a/b", ".": "/workspace",
		"/workspace/": "/workspace", "/workspace2": "", "/tmp": "", "..": "", "/workspace/../etc": "", "": "/workspace",
	} {
		got, ok := resolveWorkspacePath(in)
		if !ok {
			got = ""
		}
		if got != want {
			t.Errorf("resolveWorkspacePath(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestPythonArgv(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want []string
	}{
		{[]string{"python3", "x.py", "a"}, []string{"python3", "/w/x.py", "a"}},
		{[]string{"python", "/abs.py"}, []string{"python3", "/abs.py"}},
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
		got, err := pythonArgv(tc.argv, "/w")
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("pythonArgv(%q) = %q, %v; want %q", tc.argv, got, err, tc.want)
		}
	}
	for _, argv := range [][]string{
		{"ls"}, {"sh"}, {"sh", "script.sh"}, {"sh", "-x", "python3"}, {"sh", "-c", "python3 a.py > out"},
		{"sh", "-c", "cd /workspace && python3 a.py"}, {"sh", "-c", "ls"}, {"sh", "-c", "python3 'unterminated"}, {"env", "python3"},
	} {
		var nr *notRunnable
		if _, err := pythonArgv(argv, "/w"); !errors.As(err, &nr) {
			t.Errorf("pythonArgv(%q): err %v, want notRunnable", argv, err)
		}
	}
}
