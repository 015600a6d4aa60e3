package server

import (
	"errors"
	"io/fs"
	"path"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// Workspace is the directory bridge file routes are confined to, and the
// default working directory of session execs, as in a Cloudflare sandbox.
const Workspace = "/workspace"

// prepareWorkspace creates /workspace in a new session's sandbox.
func prepareWorkspace(sb *runtime.Sandbox) error {
	return sb.Mkdir(Workspace)
}

// resolveWorkspacePath resolves p as the bridge does: a relative path is
// taken under /workspace, "." and ".." are applied, and the result must be
// /workspace or below it; ok is false otherwise.
func resolveWorkspacePath(p string) (resolved string, ok bool) {
	if !strings.HasPrefix(p, "/") {
		p = Workspace + "/" + p
	}
	resolved = path.Clean(p)
	return resolved, resolved == Workspace || strings.HasPrefix(resolved, Workspace+"/")
}

// fileError turns a sandbox file error into an answer.
func fileError(op, p string, err error) *apiError {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errorf(404, CodeFileNotFound, "File not found: %s", p)
	case errors.Is(err, runtime.ErrNoSpace):
		return errorf(413, CodePayloadTooLarge, "%s failed: no space left in the sandbox filesystem for %s", op, p)
	case errors.Is(err, runtime.ErrDestroyed):
		return errorf(404, CodeSandboxNotFound, "the sandbox was deleted")
	}
	return badRequest("%s failed: %v", op, err)
}
