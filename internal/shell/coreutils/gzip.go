package coreutils

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

func init() { register(gzipCmd, "gzip", "gunzip", "zcat") }

var gzipSpec = optSpec{
	short: "cdkfnNtqvS:123456789",
	long: map[string]string{
		"stdout": "c", "to-stdout": "c", "decompress": "d", "uncompress": "d", "keep": "k", "force": "f",
		"no-name": "n", "name": "N", "test": "t", "quiet": "q", "verbose": "v", "suffix=": "S",
		"fast": "1", "best": "9",
	},
}

// gzipCmd compresses files to FILE.gz (removing FILE unless -k or -c), or
// with -d (gunzip) restores them; zcat and -c write to standard output.
// Without files it filters standard input. Status 1 on errors, 2 on
// warnings (a file skipped), as GNU's.
func gzipCmd(c *call) int {
	// gunzip and zcat are gzip, in name and messages.
	decompress := c.name == "gunzip" || c.name == "zcat"
	toStdout := c.name == "zcat"
	c.name = "gzip"
	o, code := c.parseOpts(gzipSpec)
	if o == nil {
		return code
	}
	decompress = decompress || o.has("d")
	toStdout = toStdout || o.has("c")
	suffix := ".gz"
	if s, ok := o.val("S"); ok {
		suffix = s
	}
	level := gzip.DefaultCompression
	for _, x := range o.list {
		if len(x.key) == 1 && x.key[0] >= '1' && x.key[0] <= '9' {
			level, _ = strconv.Atoi(x.key)
		}
	}
	g := &gzipper{call: c, o: o, decompress: decompress, toStdout: toStdout, suffix: suffix, level: level}
	names := o.operands
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, n := range names {
		if c.stopped() {
			break
		}
		g.file(n)
	}
	return c.finish()
}

// gzipper is one gzip run.
type gzipper struct {
	*call
	o                    *opts
	decompress, toStdout bool
	suffix               string
	level                int
}

// warn reports a skipped file (status 2 unless an error was seen).
func (g *gzipper) warn(format string, args ...any) {
	if !g.o.has("q") {
		g.warnf(format, args...)
	}
	if g.status == 0 {
		g.status = 2
	}
}

// file handles one operand.
func (g *gzipper) file(name string) {
	if name == "-" {
		if g.decompress {
			g.inflate(name, ctxReader{g.call, g.Stdin}, g.out)
		} else {
			g.deflate(name, ctxReader{g.call, g.Stdin}, g.out, time.Time{})
		}
		return
	}
	st, err := g.lstat(name)
	if err != nil {
		g.errorf("%s: %s", name, errText(err))
		return
	}
	if st.Mode.IsDir() {
		g.warn("%s is a directory -- ignored", name)
		return
	}
	if !st.Mode.IsRegular() && !g.toStdout && !g.o.has("f") {
		g.warn("%s is not a directory or a regular file - ignored", name)
		return
	}
	var outName string
	switch {
	case g.o.has("t"):
	case g.decompress:
		if !strings.HasSuffix(name, g.suffix) && !strings.HasSuffix(name, ".tgz") {
			g.warn("%s: unknown suffix -- ignored", name)
			return
		}
		outName = strings.TrimSuffix(name, g.suffix)
		if strings.HasSuffix(name, ".tgz") {
			outName = strings.TrimSuffix(name, ".tgz") + ".tar"
		}
	default:
		if strings.HasSuffix(name, g.suffix) && !g.toStdout {
			g.warn("%s already has %s suffix -- unchanged", name, g.suffix)
			return
		}
		outName = name + g.suffix
	}
	in, err := g.open(name)
	if err != nil {
		g.errorf("%s: %s", name, errText(err))
		return
	}
	defer in.Close()
	if g.toStdout || g.o.has("t") {
		if g.decompress || g.o.has("t") {
			g.inflate(name, in, g.out)
		} else {
			g.deflate(name, in, g.out, time.Unix(0, st.Mtim))
		}
		return
	}
	if g.exists(outName) {
		if !g.o.has("f") {
			g.warn("%s already exists;\tnot overwritten", outName)
			return
		}
		g.FS.Unlink(g.Path(outName))
	}
	out, err := g.create(outName, false, st.Mode.Perm())
	if err != nil {
		g.errorf("%s: %s", outName, errText(err))
		return
	}
	w := newOutWriter(out)
	var ok bool
	if g.decompress {
		ok = g.inflate(name, in, w)
	} else {
		ok = g.deflate(name, in, w, time.Unix(0, st.Mtim))
	}
	w.Flush()
	if cerr := out.Close(); ok && (w.err != nil || cerr != nil) {
		err := w.err
		if err == nil {
			err = cerr
		}
		g.errorf("%s: %s", outName, errText(err))
		ok = false
	}
	if !ok || g.ctx.Err() != nil {
		g.FS.Unlink(g.Path(outName))
		return
	}
	g.FS.Chmod(g.Path(outName), st.Mode.Perm())
	g.FS.Utimens(g.Path(outName), st.Atim, st.Mtim)
	if !g.o.has("k") {
		g.FS.Unlink(g.Path(name))
	}
}

// deflate compresses in to out; the header names the file (without -n).
func (g *gzipper) deflate(name string, in io.Reader, out io.Writer, mtime time.Time) bool {
	zw, _ := gzip.NewWriterLevel(out, g.level)
	if name != "-" && !g.o.has("n") {
		zw.Name = baseName(name)
		zw.ModTime = mtime
	}
	_, err := io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil && g.ctx.Err() == nil {
		g.errorf("%s: %s", name, errText(err))
		return false
	}
	return err == nil
}

// inflate decompresses in to out (every gzip member), or with -t only
// checks it.
func (g *gzipper) inflate(name string, in io.Reader, out io.Writer) bool {
	shown := name
	if name == "-" {
		shown = "stdin"
	}
	br := bufio.NewReader(in)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		g.out.Flush()
		io.WriteString(g.Stderr, "\n") // GNU's gzip starts this message on a new line
		g.errorf("%s: not in gzip format", shown)
		return false
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		g.errorf("%s: %s", shown, errText(err))
		return false
	}
	defer zr.Close()
	if g.o.has("t") {
		out = io.Discard
	}
	if _, err := io.Copy(out, zr); err != nil {
		if g.ctx.Err() == nil {
			switch {
			case errors.Is(err, io.ErrUnexpectedEOF):
				g.errorf("%s: unexpected end of file", shown)
			case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader):
				g.errorf("%s: invalid compressed data--crc error", shown)
			default:
				g.errorf("%s: %s", shown, errText(err))
			}
		}
		return false
	}
	return true
}
