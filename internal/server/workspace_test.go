package server

import (
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
