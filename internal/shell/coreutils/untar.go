package coreutils

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// read lists or extracts an archive (gzip-compressed ones too, -z or not).
func (t *tarRun) read(archive string, extract bool) {
	var in io.Reader
	if archive == "-" {
		in = ctxReader{t.call, t.Stdin}
	} else {
		r, err := t.open(archive)
		if err != nil {
			t.fatal("%s: Cannot open: %s", archive, errText(err))
			return
		}
		defer r.Close()
		in = r
	}
	br := bufio.NewReaderSize(in, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			t.fatal("%s: %s", archive, errText(err))
			return
		}
		defer gz.Close()
		in = gz
	} else {
		in = br
	}
	tr := tar.NewReader(in)
	wanted := map[string]bool{}
	for _, op := range t.o.operands {
		wanted[strings.TrimSuffix(op, "/")] = false
	}
	for !t.stopped() {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if t.ctx.Err() == nil {
				t.warnf("This does not look like a tar archive")
				t.warnf("Exiting with failure status due to previous errors")
				t.fatalSeen = true
			}
			return
		}
		if len(wanted) > 0 && !t.selectMember(hdr.Name, wanted) {
			continue
		}
		if t.excluded(hdr.Name) {
			continue
		}
		if !extract {
			t.list(hdr)
			continue
		}
		t.extract(hdr, tr)
	}
	for _, d := range t.dirTimes {
		ns := d.mtime.UnixNano()
		t.FS.Utimens(t.Path(d.path), ns, ns)
	}
	for _, op := range t.o.operands {
		if !wanted[strings.TrimSuffix(op, "/")] {
			t.errorf("%s: Not found in archive", op)
		}
	}
}

// selectMember reports whether a member is one of the operands or below
// one, and marks that operand found.
func (t *tarRun) selectMember(name string, wanted map[string]bool) bool {
	clean := strings.TrimSuffix(name, "/")
	for op := range wanted {
		if clean == op || strings.HasPrefix(clean, op+"/") {
			wanted[op] = true
			return true
		}
	}
	return false
}

// list prints a member as tar -t does (-v: ls -l style).
func (t *tarRun) list(hdr *tar.Header) {
	if !t.o.has("v") {
		t.out.WriteString(hdr.Name + "\n")
		return
	}
	mode := fs.FileMode(hdr.Mode).Perm() | goPerm(uint32(hdr.Mode)&0o7000)
	switch hdr.Typeflag {
	case tar.TypeDir:
		mode |= fs.ModeDir
	case tar.TypeSymlink:
		mode |= fs.ModeSymlink
	}
	owner := hdr.Uname
	if owner == "" {
		owner = strconv.Itoa(hdr.Uid)
	}
	group := hdr.Gname
	if group == "" {
		group = strconv.Itoa(hdr.Gid)
	}
	ug := owner + "/" + group
	size := strconv.FormatInt(hdr.Size, 10)
	pad := max(19-len(ug)-len(size), 1)
	line := fmt.Sprintf("%s %s%s%s %s %s", modeString(mode), ug, strings.Repeat(" ", pad), size,
		hdr.ModTime.UTC().Format("2006-01-02 15:04"), hdr.Name)
	switch hdr.Typeflag {
	case tar.TypeSymlink:
		line += " -> " + hdr.Linkname
	case tar.TypeLink:
		line += " link to " + hdr.Linkname
	}
	t.out.WriteString(line + "\n")
}

// memberPath turns a member name into a path under -C: without a leading
// '/', without --strip-components' leading parts; "" when nothing is
// left. Names with ".." are refused.
func (t *tarRun) memberPath(name string) (string, bool) {
	clean := strings.TrimLeft(name, "/")
	if clean != name && !t.warnedAbs {
		t.warnedAbs = true
		t.warnf("Removing leading `/' from member names")
	}
	for _, part := range strings.Split(clean, "/") {
		if part == ".." {
			t.errorf("%s: Member name contains '..'", name)
			return "", false
		}
	}
	parts := strings.Split(strings.TrimSuffix(clean, "/"), "/")
	if t.strip > 0 {
		if len(parts) <= t.strip {
			return "", false
		}
		parts = parts[t.strip:]
	}
	rel := path.Clean(strings.Join(parts, "/"))
	if rel == "." {
		return "", false
	}
	return rel, true
}

// safeParents makes the directories above rel under the -C directory,
// refusing to go through a symbolic link.
func (t *tarRun) safeParents(rel string) error {
	parts := strings.Split(rel, "/")
	cur := t.Abs(t.dir)
	for _, p := range parts[:len(parts)-1] {
		cur = path.Join(cur, p)
		st, err := t.lstat(cur)
		switch {
		case err == nil && st.Mode&fs.ModeSymlink != 0:
			return fmt.Errorf("refusing to extract through the symbolic link %s", strings.TrimPrefix(cur, t.Abs(t.dir)+"/"))
		case err == nil && !st.Mode.IsDir():
			return errOf(enotdir)
		case err == nil:
		case errno(err) == enoent:
			if err := t.mkdir(cur, 0o755); err != nil {
				return err
			}
		default:
			return err
		}
	}
	return nil
}

// extract writes one member.
func (t *tarRun) extract(hdr *tar.Header, tr *tar.Reader) {
	rel, ok := t.memberPath(hdr.Name)
	if !ok {
		return
	}
	if t.o.has("v") {
		fmt.Fprintln(t.verbose, hdr.Name)
	}
	if t.o.has("O") {
		if hdr.Typeflag == tar.TypeReg {
			io.Copy(t.out, tr)
		}
		return
	}
	target := path.Join(t.Abs(t.dir), rel)
	if err := t.safeParents(rel); err != nil {
		t.errorf("%s: Cannot open: %s", hdr.Name, errText(err))
		return
	}
	perm := goPerm(uint32(hdr.Mode) & 0o7777)
	existing, exists := t.lstat(target)
	if exists == nil && t.o.has("k") && hdr.Typeflag != tar.TypeDir {
		t.errorf("%s: Cannot open: File exists", hdr.Name)
		return
	}
	if exists == nil && hdr.Typeflag != tar.TypeDir && !existing.Mode.IsDir() {
		t.FS.Unlink(t.Path(target))
	}
	var err error
	switch hdr.Typeflag {
	case tar.TypeDir:
		if exists != nil || !existing.Mode.IsDir() {
			err = t.mkdir(target, 0o700)
		}
		if err == nil {
			err = errOf(t.FS.Chmod(t.Path(target), perm))
			t.dirTimes = append(t.dirTimes, dirTime{target, hdr.ModTime})
		}
	case tar.TypeReg:
		var f experimentalsys.File
		f, e := t.FS.OpenFile(t.Path(target), experimentalsys.O_WRONLY|experimentalsys.O_CREAT|experimentalsys.O_EXCL, 0o600)
		if err = errOf(e); err == nil {
			w := file{f}
			_, err = io.Copy(w, tr)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = errOf(t.FS.Chmod(t.Path(target), perm))
			}
			if err == nil && !t.o.has("m") {
				ns := hdr.ModTime.UnixNano()
				err = errOf(t.FS.Utimens(t.Path(target), ns, ns))
			}
		}
	case tar.TypeSymlink:
		err = errOf(t.FS.Symlink(hdr.Linkname, t.Path(target)))
	case tar.TypeLink:
		linkRel, ok := t.memberPath(hdr.Linkname)
		if !ok {
			return
		}
		err = errOf(t.FS.Link(t.Path(path.Join(t.Abs(t.dir), linkRel)), t.Path(target)))
	default:
		t.errorf("%s: Cannot extract: member type %q is not supported here", hdr.Name, hdr.Typeflag)
		return
	}
	if err != nil && t.ctx.Err() == nil {
		t.errorf("%s: Cannot open: %s", hdr.Name, errText(err))
	}
}
