package coreutils

import (
	"io"
	"io/fs"
	"sort"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// errOf turns an Errno into an error, nil for success.
func errOf(e experimentalsys.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// file adapts an FS file to io.Reader, io.Writer and io.Closer.
type file struct {
	f experimentalsys.File
}

func (f file) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, e := f.f.Read(p)
	if e != 0 {
		return n, e
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f file) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, e := f.f.Write(p[written:])
		written += n
		if e != 0 {
			return written, e
		}
		if n == 0 {
			return written, io.ErrShortWrite
		}
	}
	return written, nil
}

func (f file) Close() error { return errOf(f.f.Close()) }

// ctxReader stops reading once the call's context ends.
type ctxReader struct {
	c *call
	r io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.c.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// open opens name for reading; "-" is standard input, and the devices of
// devices read as a container's do. The reader checks the context on
// every read.
func (c *call) open(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(ctxReader{c, c.Stdin}), nil
	}
	if r, ok := c.device(name); ok {
		return io.NopCloser(ctxReader{c, r}), nil
	}
	f, e := c.FS.OpenFile(c.Path(name), experimentalsys.O_RDONLY, 0)
	if e != 0 {
		return nil, e
	}
	return struct {
		io.Reader
		io.Closer
	}{ctxReader{c, file{f}}, file{f}}, nil
}

// create opens name for writing, created with perm and truncated, or
// appended to when appendTo; /dev/null, /dev/stdout and /dev/stderr are
// the streams.
func (c *call) create(name string, appendTo bool, perm fs.FileMode) (io.WriteCloser, error) {
	switch c.Abs(name) {
	case "/dev/null":
		return nopWriteCloser{io.Discard}, nil
	case "/dev/stdout", "/dev/fd/1":
		return nopWriteCloser{c.out}, nil
	case "/dev/stderr", "/dev/fd/2":
		c.out.Flush()
		return nopWriteCloser{c.Stderr}, nil
	}
	flag := experimentalsys.O_WRONLY | experimentalsys.O_CREAT
	if appendTo {
		flag |= experimentalsys.O_APPEND
	} else {
		flag |= experimentalsys.O_TRUNC
	}
	f, e := c.FS.OpenFile(c.Path(name), flag, perm)
	if e != 0 {
		return nil, e
	}
	return file{f}, nil
}

// stat and lstat stat name; stat follows a final symbolic link.
func (c *call) stat(name string) (sys.Stat_t, error) {
	st, e := c.FS.Stat(c.Path(name))
	return st, errOf(e)
}

func (c *call) lstat(name string) (sys.Stat_t, error) {
	st, e := c.FS.Lstat(c.Path(name))
	return st, errOf(e)
}

// readDir lists the names in directory name, without "." and "..", in the
// order the filesystem gives.
func (c *call) readDir(name string) ([]experimentalsys.Dirent, error) {
	f, e := c.FS.OpenFile(c.Path(name), experimentalsys.O_RDONLY|experimentalsys.O_DIRECTORY, 0)
	if e != 0 {
		return nil, e
	}
	defer f.Close()
	var out []experimentalsys.Dirent
	for {
		if err := c.ctx.Err(); err != nil {
			return nil, err
		}
		ents, e := f.Readdir(256)
		if e != 0 {
			return nil, e
		}
		if len(ents) == 0 {
			return out, nil
		}
		for _, d := range ents {
			if d.Name != "." && d.Name != ".." {
				out = append(out, d)
			}
		}
	}
}

// join joins a directory operand and a name as the user would see it.
func join(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// copyOut copies r to standard output, checking the context as it goes.
func (c *call) copyOut(r io.Reader) error {
	_, err := io.Copy(c.out, ctxReader{c, r})
	if c.out.err != nil {
		return nil // reported by finish
	}
	return err
}

// Short names for the errors utilities make themselves.
const (
	enoent    = experimentalsys.ENOENT
	enotdir   = experimentalsys.ENOTDIR
	eisdir    = experimentalsys.EISDIR
	eexist    = experimentalsys.EEXIST
	eperm     = experimentalsys.EPERM
	einval    = experimentalsys.EINVAL
	eloop     = experimentalsys.ELOOP
	enotempty = experimentalsys.ENOTEMPTY
)

// sortedNames returns directory entries' names in byte order.
func sortedNames(ents []experimentalsys.Dirent) []string {
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name
	}
	sort.Strings(names)
	return names
}

// devices are the character devices scripts read: /dev/null (empty),
// /dev/zero, /dev/urandom and /dev/random (the configured random source),
// /dev/stdin.
func (c *call) device(name string) (io.Reader, bool) {
	switch c.Abs(name) {
	case "/dev/null":
		return strings.NewReader(""), true
	case "/dev/zero":
		return zeros{}, true
	case "/dev/urandom", "/dev/random":
		return c.random(), true
	case "/dev/stdin", "/dev/fd/0":
		return c.Stdin, true
	}
	return nil, false
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
