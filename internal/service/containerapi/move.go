package containerapi

import (
	"net/http"
	"path"
	"strings"
)

func (c *container) handleRename(r *http.Request) (any, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	if e := c.moveRequest(req.SessionID, req.OldPath, req.NewPath, opRename); e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "path": req.OldPath, "newPath": req.NewPath, "timestamp": now()}, nil
}

func (c *container) handleMove(r *http.Request) (any, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	if e := c.moveRequest(req.SessionID, req.SourcePath, req.DestinationPath, opMove); e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "path": req.SourcePath, "newPath": req.DestinationPath, "timestamp": now()}, nil
}

// moveRequest moves src to dst as mv does: into dst when dst is a
// directory, over dst when it is a file.
func (c *container) moveRequest(sessionID, srcName, dstName, op string) *apiError {
	src, _, e := c.sessionPath(sessionID, srcName)
	if e != nil {
		return e
	}
	dst, _, e := c.sessionPath(sessionID, dstName)
	if e != nil {
		return e
	}
	info, ok := c.stat(src)
	if !ok {
		return withOp(newError(http.StatusNotFound, codeFileNotFound, map[string]any{"path": srcName}, "Source file not found: %s", srcName), op)
	}
	if to, ok := c.stat(dst); ok && to.IsDir {
		dst = path.Join(dst, path.Base(src))
	}
	fail := func(reason string) *apiError {
		stderr := "mv: cannot move '" + srcName + "' to '" + dstName + "': " + reason
		return withOp(newError(http.StatusInternalServerError, codeFilesystem, map[string]any{"path": srcName, "exitCode": 1, "stderr": stderr},
			"%s operation failed with exit code 1: %s", strings.TrimPrefix(op, "file."), stderr), op)
	}
	switch to, exists := c.stat(dst); {
	case dst == src:
		return nil
	case info.IsDir && strings.HasPrefix(dst+"/", src+"/"):
		return fail("Invalid argument (a directory cannot move into itself)")
	case exists && to.IsDir != info.IsDir:
		return fail("File exists (and is not the same kind)")
	case exists && to.IsDir:
		if entries, err := c.sb.ListFiles(dst); err == nil && len(entries) > 0 {
			return fail("Directory not empty")
		}
	}
	if parent, ok := c.stat(path.Dir(dst)); !ok || !parent.IsDir {
		return fail("No such file or directory")
	}
	_, existed := c.stat(dst)
	if err := c.copyTree(src, dst); err != nil {
		if !existed {
			c.removeTree(dst) // a partial copy; the source is still whole
		}
		return fileError(op, dstName, err)
	}
	if err := c.removeTree(src); err != nil {
		return fileError(op, srcName, err)
	}
	return nil
}

// copyTree copies the file or directory src to dst.
func (c *container) copyTree(src, dst string) error {
	info, ok := c.stat(src)
	if ok && !info.IsDir {
		data, err := c.sb.ReadFile(src)
		if err != nil {
			return err
		}
		return c.sb.WriteFile(dst, data)
	}
	if err := c.sb.Mkdir(dst); err != nil {
		return err
	}
	entries, err := c.sb.ListFiles(src)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if err := c.copyTree(en.Path, path.Join(dst, en.Name)); err != nil {
			return err
		}
	}
	return nil
}

// removeTree removes the file or directory p and everything under it.
func (c *container) removeTree(p string) error {
	if entries, err := c.sb.ListFiles(p); err == nil {
		for _, en := range entries {
			if err := c.removeTree(en.Path); err != nil {
				return err
			}
		}
	}
	return c.sb.DeleteFile(p)
}
