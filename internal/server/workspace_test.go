package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
