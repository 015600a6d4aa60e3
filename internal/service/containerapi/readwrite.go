package containerapi

import (
	"encoding/base64"
	"net/http"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// base64Chars is what the container accepts as base64 content.
var base64Chars = regexp.MustCompile(`^[A-Za-z0-9+/=]*$`)

func (c *container) handleWrite(r *http.Request) (any, *apiError) {
	req, p, e := c.fileTarget(r)
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
	req, p, e := c.fileTarget(r)
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
	req, p, e := c.fileTarget(r)
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
