package containerapi

import (
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// Operation names of the SDK's error responses.
const (
	opRead     = "file.read"
	opWrite    = "file.write"
	opDelete   = "file.delete"
	opMove     = "file.move"
	opRename   = "file.rename"
	opMkdir    = "directory.create"
	opList     = "directory.list"
	maxEncoded = 32 << 20 // the largest file /api/read answers, as in the container
)

// fileRequest holds the fields of the file routes' bodies.
type fileRequest struct {
	Path            string `json:"path"`
	SessionID       string `json:"sessionId"`
	Content         string `json:"content"`
	Encoding        string `json:"encoding"`
	Recursive       bool   `json:"recursive"`
	OldPath         string `json:"oldPath"`
	NewPath         string `json:"newPath"`
	SourcePath      string `json:"sourcePath"`
	DestinationPath string `json:"destinationPath"`
	Options         struct {
		Recursive     bool `json:"recursive"`
		IncludeHidden bool `json:"includeHidden"`
	} `json:"options"`
}

func decodeFile(r *http.Request) (fileRequest, *apiError) {
	var req fileRequest
	return req, decode(r, &req)
}

// fileTarget decodes a file route's body and resolves its path in its
// session: the request, and the sandbox path it names.
func (c *container) fileTarget(r *http.Request) (fileRequest, string, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return req, "", e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
	return req, p, e
}

func (c *container) handleDelete(r *http.Request) (any, *apiError) {
	req, p, e := c.fileTarget(r)
	if e != nil {
		return nil, e
	}
	info, ok := c.stat(p)
	switch {
	case !ok:
		return nil, withOp(newError(http.StatusNotFound, codeFileNotFound, map[string]any{"path": req.Path}, "File not found: %s", req.Path), opDelete)
	case info.IsDir:
		return nil, withOp(newError(http.StatusBadRequest, codeIsDirectory, map[string]any{"path": req.Path},
			"Cannot delete directory with deleteFile() at '%s'. Use exec('rm -rf <path>') instead.", req.Path), opDelete)
	}
	if err := c.sb.DeleteFile(p); err != nil {
		return nil, fileError(opDelete, req.Path, err)
	}
	return map[string]any{"success": true, "path": req.Path, "timestamp": now()}, nil
}

func withOp(e *apiError, op string) *apiError {
	e.operation = op
	e.context["operation"] = op
	return e
}

// handleMkdir creates a directory; without recursive its parent must exist
// and it must not, as with mkdir.
func (c *container) handleMkdir(r *http.Request) (any, *apiError) {
	req, p, e := c.fileTarget(r)
	if e != nil {
		return nil, e
	}
	if !req.Recursive {
		reason := ""
		if _, exists := c.stat(p); exists {
			reason = "File exists"
		} else if parent, ok := c.stat(path.Dir(p)); !ok {
			reason = "No such file or directory"
		} else if !parent.IsDir {
			reason = "Not a directory"
		}
		if reason != "" {
			stderr := "mkdir: cannot create directory '" + req.Path + "': " + reason
			return nil, withOp(newError(http.StatusInternalServerError, codeFilesystem, map[string]any{"path": req.Path, "exitCode": 1, "stderr": stderr},
				"mkdir operation failed with exit code 1: %s", stderr), opMkdir)
		}
	}
	if err := c.sb.Mkdir(p); err != nil {
		return nil, fileError(opMkdir, req.Path, err)
	}
	return map[string]any{"success": true, "path": req.Path, "recursive": req.Recursive, "timestamp": now()}, nil
}

func (c *container) handleExists(r *http.Request) (any, *apiError) {
	req, p, e := c.fileTarget(r)
	if e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "path": req.Path, "exists": c.sb.Exists(p), "timestamp": now()}, nil
}

// fileInfo is one entry of /api/list-files (the SDK's FileInfo).
type fileInfo struct {
	Name         string          `json:"name"`
	AbsolutePath string          `json:"absolutePath"`
	RelativePath string          `json:"relativePath"`
	Type         string          `json:"type"`
	Size         int64           `json:"size"`
	ModifiedAt   string          `json:"modifiedAt"`
	Mode         string          `json:"mode"`
	Permissions  map[string]bool `json:"permissions"`
}

func newFileInfo(base string, in runtime.FileInfo) fileInfo {
	fi := fileInfo{Name: in.Name, AbsolutePath: in.Path, RelativePath: strings.TrimPrefix(in.Path, strings.TrimSuffix(base, "/")+"/"),
		Type: "file", Size: in.Size, ModifiedAt: in.ModTime.UTC().Format("2006-01-02T15:04:05.000000000Z"),
		Mode: "rw-r--r--", Permissions: map[string]bool{"readable": true, "writable": true, "executable": false}}
	if in.IsDir {
		fi.Type, fi.Mode, fi.Permissions["executable"] = "directory", "rwxr-xr-x", true
	}
	return fi
}

// handleListFiles lists a directory: its entries, or with recursive every
// file and directory under it. Without includeHidden, names starting with
// "." are left out, but (as with the container's find -not -name ".*") not
// what is under a hidden directory.
func (c *container) handleListFiles(r *http.Request) (any, *apiError) {
	req, p, e := c.fileTarget(r)
	if e != nil {
		return nil, e
	}
	if info, ok := c.stat(p); !ok {
		return nil, withOp(newError(http.StatusNotFound, codeFileNotFound, map[string]any{"path": req.Path}, "Directory not found: %s", req.Path), opList)
	} else if !info.IsDir {
		return nil, withOp(newError(http.StatusBadRequest, codeNotDirectory, map[string]any{"path": req.Path}, "Path is not a directory: %s", req.Path), opList)
	}
	files := []fileInfo{}
	var walk func(dir string) error
	walk = func(dir string) error {
		entries, err := c.sb.ListFiles(dir)
		if err != nil {
			return err
		}
		for _, en := range entries {
			if !strings.HasPrefix(en.Name, ".") || req.Options.IncludeHidden {
				files = append(files, newFileInfo(p, en))
			}
			if en.IsDir && req.Options.Recursive {
				if err := walk(en.Path); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(p); err != nil {
		return nil, fileError(opList, req.Path, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].AbsolutePath < files[j].AbsolutePath })
	return map[string]any{"success": true, "path": req.Path, "files": files, "count": len(files), "timestamp": now()}, nil
}
