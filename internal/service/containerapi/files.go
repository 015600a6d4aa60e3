package containerapi

import (
	"encoding/base64"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

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

// base64Chars is what the container accepts as base64 content.
var base64Chars = regexp.MustCompile(`^[A-Za-z0-9+/=]*$`)

func (c *container) handleWrite(r *http.Request) (any, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
	if e != nil {
		return nil, e
	}
	data := []byte(req.Content)
	switch req.Encoding {
	case "", "utf-8", "utf8":
	case "base64":
		decoded, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(req.Content, "="))
		if !base64Chars.MatchString(req.Content) || err != nil {
			return nil, newError(http.StatusBadRequest, codeValidation, map[string]any{"path": req.Path},
				"Invalid base64 content for '%s': must contain only A-Z, a-z, 0-9, +, /, =", req.Path)
		}
		data = decoded
	default:
		return nil, newError(http.StatusBadRequest, codeValidation, map[string]any{"encoding": req.Encoding},
			"encoding %q is not supported: use utf-8 or base64", req.Encoding)
	}
	if err := c.sb.WriteFile(p, data); err != nil {
		return nil, fileError(opWrite, req.Path, err)
	}
	return map[string]any{"success": true, "path": req.Path, "timestamp": now()}, nil
}

// fileContent is a file read for an answer: its content in the encoding
// asked for, or the one its bytes call for.
type fileContent struct {
	content, encoding, mimeType string
	isBinary                    bool
	size                        int
}

// readContent reads the file at p (the client's path is name).
func (c *container) readContent(p, name, encoding string) (fileContent, *apiError) {
	switch encoding {
	case "", "utf-8", "utf8", "base64":
	default:
		return fileContent{}, newError(http.StatusBadRequest, codeValidation, map[string]any{"encoding": encoding},
			"encoding %q is not supported: use utf-8 or base64", encoding)
	}
	if info, ok := c.stat(p); ok && info.Size > maxEncoded {
		return fileContent{}, newError(http.StatusRequestEntityTooLarge, codeFileTooLarge, map[string]any{"path": name, "actualSize": info.Size, "maxSize": maxEncoded},
			"File too large. Size %d bytes exceeds the 32 MiB limit", info.Size)
	}
	data, err := c.sb.ReadFile(p)
	if err != nil {
		return fileContent{}, fileError(opRead, name, err)
	}
	binary := !utf8.Valid(data) || strings.IndexByte(string(data), 0) >= 0
	fc := fileContent{mimeType: mimeType(p, binary), size: len(data), isBinary: binary}
	if encoding == "base64" || (encoding == "" && binary) {
		fc.content, fc.encoding, fc.isBinary = base64.StdEncoding.EncodeToString(data), "base64", true
	} else {
		fc.content, fc.encoding, fc.isBinary = string(data), "utf-8", false
	}
	return fc, nil
}

func (c *container) handleRead(r *http.Request) (any, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
	if e != nil {
		return nil, e
	}
	fc, e := c.readContent(p, req.Path, req.Encoding)
	if e != nil {
		return nil, e
	}
	return map[string]any{"success": true, "path": req.Path, "content": fc.content, "timestamp": now(),
		"encoding": fc.encoding, "isBinary": fc.isBinary, "mimeType": fc.mimeType, "size": fc.size}, nil
}

// streamChunk is the most file data one chunk event of /api/read/stream
// carries.
const streamChunk = 64 << 10

// handleReadStream streams a file as Server-Sent Events: `metadata`, then
// `chunk`s (base64 for a binary file), then `complete`; a failure is an
// `error` event, as in the container.
func (c *container) handleReadStream(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, c.cfg.MaxBody)
	req, e := decodeFile(r)
	var p string
	if e == nil {
		p, _, e = c.sessionPath(req.SessionID, req.Path)
	}
	var data []byte
	var fc fileContent
	if e == nil {
		fc, e = c.readContent(p, req.Path, "")
	}
	st := startSSE(w)
	if e != nil {
		st.send(map[string]string{"type": "error", "error": e.message})
		return
	}
	if fc.isBinary {
		data, _ = base64.StdEncoding.DecodeString(fc.content)
	} else {
		data = []byte(fc.content)
	}
	st.send(map[string]any{"type": "metadata", "mimeType": fc.mimeType, "size": fc.size, "isBinary": fc.isBinary, "encoding": fc.encoding})
	for len(data) > 0 {
		n := min(streamChunk, len(data))
		if !fc.isBinary {
			for n < len(data) && !utf8.RuneStart(data[n]) {
				n--
			}
		}
		chunk := string(data[:n])
		if fc.isBinary {
			chunk = base64.StdEncoding.EncodeToString(data[:n])
		}
		if !st.send(map[string]any{"type": "chunk", "data": chunk}) {
			return
		}
		data = data[n:]
	}
	st.send(map[string]any{"type": "complete", "bytesRead": fc.size})
}

// mimeType guesses a file's type from its name, as the container's Bun
// does, falling back on its content.
func mimeType(p string, binary bool) string {
	if t, ok := mimeTypes[strings.ToLower(path.Ext(p))]; ok {
		return t
	}
	if binary {
		return "application/octet-stream"
	}
	return "text/plain"
}

var mimeTypes = map[string]string{
	".py": "text/x-python", ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv",
	".json": "application/json", ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
	".xml": "application/xml", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
	".jpeg": "image/jpeg", ".gif": "image/gif", ".pdf": "application/pdf", ".zip": "application/zip",
	".gz": "application/gzip", ".tar": "application/x-tar", ".sh": "application/x-sh",
}

func (c *container) handleDelete(r *http.Request) (any, *apiError) {
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
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
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
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
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
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
	req, e := decodeFile(r)
	if e != nil {
		return nil, e
	}
	p, _, e := c.sessionPath(req.SessionID, req.Path)
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
