package containerapi

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/wasmbox/wasmbox/runtime"
)

// resolvePath resolves p as a session's shell would: a relative path is
// taken from dir.
func resolvePath(dir, p string) (string, *apiError) {
	switch {
	case p == "":
		return "", newError(http.StatusBadRequest, codeValidation, map[string]any{"field": "path"}, "path is required")
	case strings.IndexByte(p, 0) >= 0:
		return "", newError(http.StatusBadRequest, codeValidation, map[string]any{"path": p}, "Invalid path format for '%s': path contains a NUL byte", p)
	case !strings.HasPrefix(p, "/"):
		p = dir + "/" + p
	}
	return path.Clean(p), nil
}

// sessionPath resolves p against the working directory of the session id.
func (c *container) sessionPath(sessionID, p string) (string, *session, *apiError) {
	s, e := c.session(sessionID)
	if e != nil {
		return "", nil, e
	}
	c.mu.Lock()
	dir := s.cwd
	c.mu.Unlock()
	abs, e := resolvePath(dir, p)
	return abs, s, e
}

// stat describes the file or directory at p; ok is false when there is
// none (or the sandbox cannot say).
func (c *container) stat(p string) (info runtime.FileInfo, ok bool) {
	if p == "/" {
		return runtime.FileInfo{Name: "/", Path: "/", IsDir: true}, true
	}
	entries, err := c.sb.ListFiles(path.Dir(p))
	if err != nil {
		return info, false
	}
	name := path.Base(p)
	for _, e := range entries {
		if e.Name == name {
			return e, true
		}
	}
	return info, false
}

// fileError turns a sandbox file error into the container's error for op
// (an Operation name of the SDK, such as file.read) on the path the client
// gave.
func fileError(op, p string, err error) *apiError {
	ctx := map[string]any{"path": p, "operation": op}
	var e *apiError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		e = newError(http.StatusNotFound, codeFileNotFound, ctx, "File not found: %s", p)
	case errors.Is(err, fs.ErrExist):
		e = newError(http.StatusConflict, codeFileExists, ctx, "File exists: %s", p)
	case errors.Is(err, experimentalsys.EISDIR):
		e = newError(http.StatusBadRequest, codeIsDirectory, ctx, "Is a directory: %s", p)
	case errors.Is(err, experimentalsys.ENOTDIR):
		e = newError(http.StatusBadRequest, codeNotDirectory, ctx, "Not a directory: %s", p)
	case errors.Is(err, runtime.ErrNoSpace):
		e = newError(http.StatusInternalServerError, codeNoSpace, ctx, "No space left in the container's filesystem for %s", p)
	default:
		ctx["stderr"] = err.Error()
		e = newError(http.StatusInternalServerError, codeFilesystem, ctx, "%s failed for %s: %v", op, p, err)
	}
	e.operation = op
	return e
}
