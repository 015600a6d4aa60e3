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
	"time"
)

func init() { register(tarCmd, "tar") }

var tarSpec = optSpec{
	short: "cxtf:C:zvpOkmhoT:",
	long: map[string]string{
		"create": "c", "extract": "x", "get": "x", "list": "t", "file=": "f", "directory=": "C",
		"gzip": "z", "gunzip": "z", "verbose": "v", "preserve-permissions": "p", "to-stdout": "O",
		"keep-old-files": "k", "touch": "m", "dereference": "h", "no-same-owner": "o",
		"exclude=": "exclude", "strip-components=": "strip", "files-from=": "T",
		"owner=": "owner", "group=": "group", "numeric-owner": "numeric-owner", "mtime=": "mtime",
		"sort=": "sort", "no-same-permissions": "no-same-permissions", "same-owner": "same-owner",
		"overwrite": "overwrite", "format=": "format", "warning=": "warning",
		"wildcards": "wildcards", "no-wildcards": "no-wildcards", "help": "help",
	},
	usageCode: 2,
}

// tarRun is one tar run.
type tarRun struct {
	*call
	o       *opts
	dir     string // -C, the directory names are relative to
	verbose io.Writer
	strip   int
	// warnedAbs: the leading '/' warning was given.
	warnedAbs bool
	// fatalSeen: the run ended on an error (status 2, said already).
	fatalSeen bool
	// dirTimes are extracted directories' times, set once their contents
	// are in place.
	dirTimes []dirTime
}

// dirTime is a directory's modification time to restore.
type dirTime struct {
	path  string
	mtime time.Time
}

// tar creates (-c), lists (-t) or extracts (-x) archives: -f FILE ("-"
// or none for standard input or output), -C DIR, -z gzip, -v, --exclude
// PATTERN, --strip-components N, -O to standard output, -k keeping files.
// Archives list entries in name order, owned by root. Extraction stays
// under the target directory: absolute names lose their '/', names with
// ".." and writes through symbolic links are refused.
func tarCmd(c *call) int {
	args := c.Args[1:]
	// Old style: "tar czf out.tgz dir" (letters without a dash first).
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{"-" + args[0]}, args[1:]...)
	}
	c.hint = "Try 'tar --help' or 'tar --usage' for more information."
	o, code := c.parseArgs(tarSpec, args)
	if o == nil {
		return code
	}
	if o.has("help") {
		c.out.WriteString(tarHelp)
		return c.finish()
	}
	t := &tarRun{call: c, o: o, dir: "."}
	modes := 0
	for _, m := range []string{"c", "x", "t"} {
		if o.has(m) {
			modes++
		}
	}
	if modes != 1 {
		c.out.Flush()
		if modes == 0 {
			fmt.Fprintf(c.Stderr, "%s: You must specify one of the '-Acdtrux', '--delete' or '--test-label' options\n", c.name)
		} else {
			fmt.Fprintf(c.Stderr, "%s: You may not specify more than one '-Acdtrux', '--delete' or  '--test-label' option\n", c.name)
		}
		return c.tryHelp(2)
	}
	if v, ok := o.val("strip"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			c.errorf("%s: Invalid number of elements", v)
			return 2
		}
		t.strip = n
	}
	if d, ok := o.val("C"); ok {
		t.dir = d
	}
	archive, _ := o.val("f")
	if archive == "" {
		archive = "-"
	}
	t.verbose = c.out
	if archive == "-" && o.has("c") {
		t.verbose = c.Stderr
	}
	switch {
	case o.has("c"):
		t.create(archive)
	default:
		t.read(archive, o.has("x"))
	}
	switch {
	case t.fatalSeen:
		t.status = 2
	case t.status != 0 && c.ctx.Err() == nil && c.out.err == nil:
		t.warnf("Exiting with failure status due to previous errors")
		t.status = 2
	}
	return c.finish()
}

// fatal reports an error that ends the run, as tar's "Error is not
// recoverable".
func (t *tarRun) fatal(format string, args ...any) {
	t.warnf(format, args...)
	t.warnf("Error is not recoverable: exiting now")
	t.fatalSeen = true
}

// create writes an archive of the operands (and -T's names).
func (t *tarRun) create(archive string) {
	names := t.o.operands
	if from, ok := t.o.val("T"); ok {
		r, err := t.open(from)
		if err != nil {
			t.fatal("%s: Cannot open: %s", from, errText(err))
			return
		}
		t.eachLine(r, '\n', func(line []byte, _ bool) error {
			if len(line) > 0 {
				names = append(names, string(line))
			}
			return nil
		})
		r.Close()
	}
	if len(names) == 0 {
		t.warnf("Cowardly refusing to create an empty archive")
		t.tryHelp(2)
		t.fatalSeen = true
		return
	}
	var out io.Writer = t.out
	var closer io.Closer
	if archive != "-" {
		f, err := t.create0(archive)
		if err != nil {
			t.fatal("%s: Cannot open: %s", archive, errText(err))
			return
		}
		bw := bufio.NewWriterSize(f, 64<<10)
		out, closer = bw, multiCloser{flush: bw, c: f}
	}
	var gz *gzip.Writer
	if t.o.has("z") {
		gz = gzip.NewWriter(out)
		out = gz
	}
	tw := tar.NewWriter(out)
	for _, n := range names {
		if t.stopped() {
			break
		}
		t.addPath(tw, n)
	}
	err := tw.Close()
	if gz != nil && err == nil {
		err = gz.Close()
	}
	if closer != nil {
		if cerr := closer.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil && t.ctx.Err() == nil && t.out.err == nil {
		t.fatal("%s: Cannot write: %s", archive, errText(err))
	}
}

// create0 opens the archive file for writing, relative to the working
// directory (not -C's).
func (t *tarRun) create0(name string) (io.WriteCloser, error) {
	return t.call.create(name, false, 0o644&^umask)
}

// multiCloser flushes a buffer, then closes a file.
type multiCloser struct {
	flush *bufio.Writer
	c     io.Closer
}

func (m multiCloser) Close() error {
	err := m.flush.Flush()
	if cerr := m.c.Close(); err == nil {
		err = cerr
	}
	return err
}

// inDir is a name as seen under -C.
func (t *tarRun) inDir(name string) string {
	if path.IsAbs(name) {
		return name
	}
	return path.Join(t.Abs(t.dir), name)
}

// excluded reports whether an --exclude pattern matches the name or any
// run of its components (GNU's unanchored matching), so a directory's
// pattern excludes what is below it. Patterns are globs unless
// --no-wildcards comes after the last --wildcards.
func (t *tarRun) excluded(name string) bool {
	parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
	literal := false
	for _, x := range t.o.list {
		switch x.key {
		case "wildcards":
			literal = false
		case "no-wildcards":
			literal = true
		}
	}
	for _, pat := range t.o.vals("exclude") {
		pat = strings.TrimSuffix(pat, "/")
		if literal {
			pat = globEscape(pat)
		}
		re, err := globRegex(pat, false)
		if err != nil {
			continue
		}
		for i := range parts {
			for j := i + 1; j <= len(parts); j++ {
				if re.MatchString(strings.Join(parts[i:j], "/")) {
					return true
				}
			}
		}
	}
	return false
}

// addPath adds name (and, for a directory, what it holds) to the archive.
func (t *tarRun) addPath(tw *tar.Writer, name string) {
	if t.stopped() || t.excluded(name) {
		return
	}
	full := t.inDir(name)
	st, err := t.lstat(full)
	if err == nil && t.o.has("h") && st.Mode&fs.ModeSymlink != 0 {
		st, err = t.stat(full)
	}
	if err != nil {
		t.errorf("%s: Cannot stat: %s", name, errText(err))
		return
	}
	member := strings.TrimLeft(name, "/")
	if member != name && !t.warnedAbs {
		t.warnedAbs = true
		t.warnf("Removing leading `/' from member names")
	}
	hdr := &tar.Header{
		Name:    member,
		Mode:    int64(unixPerm(st.Mode)),
		ModTime: time.Unix(0, st.Mtim).Truncate(time.Second),
		Uname:   userName, Gname: userName,
		Format: tar.FormatGNU,
	}
	switch {
	case st.Mode&fs.ModeSymlink != 0:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname, _ = t.FS.Readlink(t.Path(full))
	case st.Mode.IsDir():
		hdr.Typeflag = tar.TypeDir
		if !strings.HasSuffix(hdr.Name, "/") {
			hdr.Name += "/"
		}
	case st.Mode.IsRegular():
		hdr.Typeflag = tar.TypeReg
		hdr.Size = st.Size
	default:
		t.errorf("%s: socket ignored", name)
		return
	}
	if t.o.has("v") {
		fmt.Fprintln(t.verbose, hdr.Name)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		t.errorf("%s: Cannot write: %s", name, errText(err))
		return
	}
	if hdr.Typeflag == tar.TypeReg {
		r, err := t.open(full)
		if err != nil {
			t.errorf("%s: Cannot open: %s", name, errText(err))
			return
		}
		n, err := io.Copy(tw, r)
		r.Close()
		if err == nil && n != hdr.Size {
			err = errors.New("file changed as we read it")
		}
		if err != nil {
			t.errorf("%s: Read error: %s", name, errText(err))
			return
		}
	}
	if hdr.Typeflag == tar.TypeDir {
		ents, err := t.readDir(full)
		if err != nil {
			t.errorf("%s: Cannot open: %s", name, errText(err))
			return
		}
		for _, e := range sortedNames(ents) {
			t.addPath(tw, join(name, e))
		}
	}
}

// tarHelp is tar --help: the options this tar knows.
const tarHelp = `Usage: tar [OPTION...] [FILE]...
Create (-c), list (-t) or extract (-x) tar archives in the sandbox.

  -c, --create               create a new archive
  -t, --list                 list the contents of an archive
  -x, --extract, --get       extract files from an archive
  -f, --file=ARCHIVE         use archive file ARCHIVE ("-": standard input or output)
  -C, --directory=DIR        change to directory DIR
  -z, --gzip, --gunzip       filter the archive through gzip (read: detected)
  -v, --verbose              verbosely list files processed
  -O, --to-stdout            extract files to standard output
  -k, --keep-old-files       don't replace existing files when extracting
  -m, --touch                don't extract file modified time
  -h, --dereference          follow symlinks; archive the files they point to
  -T, --files-from=FILE      get names to extract or create from FILE
      --exclude=PATTERN      exclude files, given as a PATTERN
      --no-wildcards         exclude patterns are plain strings
      --wildcards            exclude patterns are globs (the default)
      --strip-components=NUMBER   strip NUMBER leading components from file names
  -p, -o, --owner, --group, --numeric-owner, --mtime, --sort, --format
                             accepted; members are owned by root and sorted by name
`
