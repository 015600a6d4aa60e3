package server

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/wasmbox/wasmbox/internal/shell/coreutils"
	"github.com/wasmbox/wasmbox/runtime"
)

// The bridge's workspace archives: POST /v1/sandbox/{id}/persist answers
// a tar of /workspace, as `tar cf - --exclude ./REL... -C /workspace .`
// writes it (members "./", "./dir/", "./dir/file"); POST .../hydrate
// extracts such a tar (or a gzipped one, as `tar xf` detects it) into
// /workspace. The sandbox filesystem has no links, owners or permission
// bits: directories are archived 0755 and files 0644, a hard link is
// extracted as a copy of its target, and a symbolic link is refused.

// handlePersist answers a tar of /workspace. The excludes query parameter
// lists paths relative to /workspace, separated by commas, to leave out
// (with what is under them); like tar's --exclude patterns, they may hold
// the wildcards * (which also matches "/"), ? and [...].
func (s *Server) handlePersist(w http.ResponseWriter, r *http.Request) {
	excludes, e := persistExcludes(r.URL.Query().Get("excludes"))
	if e != nil {
		writeError(w, r, e)
		return
	}
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	var buf bytes.Buffer
	if err := writeWorkspaceTar(&buf, ss.sb, excludes); err != nil {
		writeError(w, r, errorf(http.StatusBadGateway, CodeArchiveReadError, "persist failed: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// persistExcludes parses the excludes query parameter into patterns that
// match archive member names ("./REL").
func persistExcludes(param string) ([]*regexp.Regexp, *apiError) {
	var out []*regexp.Regexp
	for _, rel := range strings.Split(param, ",") {
		if rel == "" {
			continue
		}
		if strings.Contains(rel, "..") {
			return nil, badRequest(`exclude paths must not contain ".."`)
		}
		rel = strings.TrimRight(strings.TrimPrefix(rel, "./"), "/")
		re, err := coreutils.GlobRegexp("./" + rel)
		if err != nil { // a class regexp refuses, such as [z-a]: match it literally
			re = regexp.MustCompile("^" + regexp.QuoteMeta("./"+rel) + "$")
		}
		out = append(out, re)
	}
	return out, nil
}

// writeWorkspaceTar writes /workspace to w as a tar, leaving out the
// members an exclude pattern matches.
func writeWorkspaceTar(w io.Writer, sb *runtime.Sandbox, excludes []*regexp.Regexp) error {
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755}); err != nil {
		return err
	}
	var walk func(dir, name string) error
	walk = func(dir, name string) error {
		files, err := sb.ListFiles(dir)
		if err != nil {
			return err
		}
		for _, fi := range files {
			member := name + fi.Name
			if excluded(member, excludes) {
				continue
			}
			if fi.LinkTarget != "" {
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: member, Linkname: fi.LinkTarget, Mode: 0o777, ModTime: fi.ModTime}); err != nil {
					return err
				}
				continue
			}
			if fi.IsDir {
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: member + "/", Mode: 0o755, ModTime: fi.ModTime}); err != nil {
					return err
				}
				if err := walk(fi.Path, member+"/"); err != nil {
					return err
				}
				continue
			}
			data, err := sb.ReadFile(fi.Path)
			if err != nil {
				return err
			}
			hdr := &tar.Header{Typeflag: tar.TypeReg, Name: member, Mode: 0o644, Size: int64(len(data)), ModTime: fi.ModTime}
			if err := tw.WriteHeader(hdr); err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
		return nil
	}
	sb.Mkdir(Workspace) // a client may have deleted it: archive it empty
	if err := walk(Workspace, "./"); err != nil {
		return err
	}
	return tw.Close()
}

// excluded says whether an exclude pattern matches member or one of its
// parent directories, as tar's --exclude does.
func excluded(member string, excludes []*regexp.Regexp) bool {
	for _, re := range excludes {
		rel := strings.TrimPrefix(strings.TrimSuffix(member, "/"), "./")
		for p := rel; p != "." && p != "" && p != "/"; p = path.Dir(p) {
			if re.MatchString("./" + p) {
				return true
			}
		}
	}
	return false
}

// handleHydrate extracts the tar in the body into /workspace: 200
// {"ok": true}. An empty body, or one over the bridge's 32 MiB, is 400; an
// archive that cannot be extracted is 502 workspace_archive_write_error,
// as in the bridge. Every member is checked before anything is written.
func (s *Server) handleHydrate(w http.ResponseWriter, r *http.Request) {
	ss, release := s.session(w, r)
	if ss == nil {
		return
	}
	defer release()
	body, e := readBodyUpTo(w, r, bridgeMaxBody)
	if e != nil {
		if e.Status == http.StatusRequestEntityTooLarge {
			e = badRequest("tar payload too large: the body exceeds the %d-byte limit", bridgeMaxBody)
		}
		writeError(w, r, e)
		return
	}
	if len(body) == 0 {
		writeError(w, r, badRequest("Empty tar payload"))
		return
	}
	if err := extractTar(body, ss.sb, s.cfg.SessionFSBytes); err != nil {
		writeError(w, r, errorf(http.StatusBadGateway, CodeArchiveWriteError, "tar extract failed: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// maxArchiveMembers caps the members of an archive hydrated: the sandbox
// filesystem holds no more files and directories.
const maxArchiveMembers = runtime.DefaultMaxFiles

// extractTar checks every member of the tar (or gzipped tar) in data, then
// writes them under /workspace. Their file data may total at most
// maxBytes.
func extractTar(data []byte, sb *runtime.Sandbox, maxBytes int64) error {
	var total int64
	members := 0
	// Headers and padding take at most a few KiB a member: a gzip stream
	// that inflates past this is no archive the sandbox could hold.
	maxTar := maxBytes + maxArchiveMembers*4<<10
	if err := eachMember(data, maxTar, func(hdr *tar.Header, name string, _ io.Reader) error {
		if members++; members > maxArchiveMembers {
			return fmt.Errorf("the archive has more than %d members, more than the sandbox filesystem holds", maxArchiveMembers)
		}
		if hdr.Typeflag == tar.TypeReg {
			total += hdr.Size
		}
		if total > maxBytes {
			return fmt.Errorf("the archive's files hold more than the sandbox filesystem's %d bytes", maxBytes)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := sb.Mkdir(Workspace); err != nil {
		return err
	}
	return eachMember(data, maxTar, func(hdr *tar.Header, name string, content io.Reader) error {
		switch hdr.Typeflag {
		case tar.TypeDir:
			return sb.Mkdir(name)
		case tar.TypeSymlink:
			return sb.Symlink(hdr.Linkname, name)
		case tar.TypeLink:
			target, _ := memberPath(hdr.Linkname)
			b, err := sb.ReadFile(target)
			if err != nil {
				return fmt.Errorf("%s: hard link to %s: %w", hdr.Name, hdr.Linkname, err)
			}
			return sb.WriteFile(name, b)
		}
		b, err := io.ReadAll(content)
		if err != nil {
			return fmt.Errorf("%s: %w", hdr.Name, err)
		}
		return sb.WriteFile(name, b)
	})
}

// eachMember calls fn with each member of the tar (or gzipped tar) in
// data, its path under /workspace and its content, after checking its
// name and type. A gzip stream may inflate to at most maxTar bytes.
func eachMember(data []byte, maxTar int64, fn func(hdr *tar.Header, name string, content io.Reader) error) error {
	var rd io.Reader = bytes.NewReader(data)
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return fmt.Errorf("reading the gzip stream: %w", err)
		}
		rd = &cappedReader{r: zr, left: maxTar}
	}
	tr := tar.NewReader(rd)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		name, ok := memberPath(hdr.Name)
		if !ok {
			return fmt.Errorf("member %q contains \"..\"", hdr.Name)
		}
		switch hdr.Typeflag {
		case tar.TypeReg, tar.TypeDir:
		case tar.TypeLink:
			if _, ok := memberPath(hdr.Linkname); !ok {
				return fmt.Errorf("member %q links to %q, which contains \"..\"", hdr.Name, hdr.Linkname)
			}
		case tar.TypeSymlink:
			// Kept as written: links resolve inside the sandbox only.
		default:
			return fmt.Errorf("member %q is of tar type %q: the sandbox filesystem holds only files, directories and links", hdr.Name, hdr.Typeflag)
		}
		if name == Workspace && hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("member %q would replace %s itself", hdr.Name, Workspace)
		}
		if err := fn(hdr, name, tr); err != nil {
			return err
		}
	}
}

// errArchiveTooLarge ends a gzip stream that inflates past its cap.
var errArchiveTooLarge = errors.New("the gzip stream inflates past what the sandbox filesystem could hold")

// cappedReader reads from r until left bytes have been read, then fails
// with errArchiveTooLarge.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errArchiveTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// memberPath places a member name under /workspace as tar x does: a
// leading "/" is dropped, and a name with a ".." element is refused.
func memberPath(member string) (string, bool) {
	for _, elem := range strings.Split(member, "/") {
		if elem == ".." {
			return "", false
		}
	}
	return path.Join(Workspace, strings.TrimLeft(member, "/")), true
}
