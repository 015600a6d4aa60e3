package runtime

import (
	"bytes"
	"io/fs"
	"path"
	"sync"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"
)

// A code context's open files live in wazero's file table, in Go, not in
// linear memory: copying the memory does not copy them. So each of the
// context's mounts is a trackingFS, which knows every file the guest holds
// open. Before a fork or a save, the guest lists its open descriptors with
// one fstat each (context.py's census); trackingFS sees those Stat calls in
// the same order, which pairs each descriptor with its file. A new instance
// gets them back by opening, in descriptor order, paths that the trackingFS
// answers with the prepared files (context.py's reopen): wazero gives each
// open the lowest free descriptor, so the numbers come out the same.

// controlName is the file, at the root of the sandbox's mount, that the
// guest's cell runner writes its answers to; see context.py. It is not in
// the standard library's mount, whose files the guard refuses to the
// runner. In a context it hides a file of the sandbox of that name.
const controlName = ".wasmbox-control"

// reopenDir is where, during a reopen only, a mount serves prepared files
// as reopenDir/INDEX.
const reopenDir = ".wasmbox-reopen"

// trackingFS is one mount of a context: fs (a memFS, or the read-only
// standard library) plus the files the guest holds open on it.
type trackingFS struct {
	switchFS
	ctl     *contextControl
	control bool // the control file is served here

	mu       sync.Mutex
	open     map[*trackedFile]struct{}
	peak     int                  // the most files open at once
	prepared map[string]*openFile // during a reopen: path → file
}

func newTrackingFS(fsys experimentalsys.FS, ctl *contextControl, control bool) *trackingFS {
	t := &trackingFS{ctl: ctl, control: control, open: map[*trackedFile]struct{}{}}
	t.set(fsys)
	return t
}

// trackedFile is a file the guest opened through a trackingFS.
type trackedFile struct {
	experimentalsys.File
	t    *trackingFS
	path string // as opened, cleaned, relative to the mount
}

// openFile is an open file as a fork or a save carries it: for a memFS,
// the memFile itself (its node and offset); for the standard library, the
// path and offset.
type openFile struct {
	fd    int32
	mount int // index in contextMounts
	mem   *memFile
	path  string // relative to the mount
	dir   bool
	off   int64
}

// OpenFile implements experimentalsys.FS.
func (t *trackingFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	clean := path.Clean("/" + p)[1:]
	if t.control && clean == controlName {
		// Each open starts the answer anew: what a cell wrote there
		// before the runner's own open is dropped.
		t.ctl.reset()
		return &controlFile{ctl: t.ctl}, 0
	}
	t.mu.Lock()
	prep, ok := t.prepared[clean]
	t.mu.Unlock()
	var f experimentalsys.File
	if ok {
		var errno experimentalsys.Errno
		if f, errno = prep.file(t.get()); errno != 0 {
			return nil, errno
		}
	} else {
		var errno experimentalsys.Errno
		if f, errno = t.get().OpenFile(p, flag, perm); errno != 0 {
			return nil, errno
		}
	}
	tf := &trackedFile{File: f, t: t, path: clean}
	t.mu.Lock()
	t.open[tf] = struct{}{}
	t.peak = max(t.peak, len(t.open))
	t.mu.Unlock()
	return tf, 0
}

// file makes the prepared file: the memFile as it is, or the standard
// library's file opened again and moved to its offset.
func (o *openFile) file(fsys experimentalsys.FS) (experimentalsys.File, experimentalsys.Errno) {
	if o.mem != nil {
		return o.mem, 0
	}
	f, errno := fsys.OpenFile(o.path, experimentalsys.O_RDONLY, 0)
	if errno != 0 {
		return nil, errno
	}
	if dir, _ := f.IsDir(); !dir && o.off != 0 {
		if _, errno := f.Seek(o.off, 0); errno != 0 {
			f.Close()
			return nil, errno
		}
	}
	return f, 0
}

// Stat implements experimentalsys.File, noting the call during a census.
func (f *trackedFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	f.t.ctl.noteStat(f)
	return f.File.Stat()
}

// Close implements experimentalsys.File.
func (f *trackedFile) Close() experimentalsys.Errno {
	f.t.mu.Lock()
	delete(f.t.open, f)
	f.t.mu.Unlock()
	return f.File.Close()
}

// contextControl is the host's side of the cell runner's control file, and
// the log of a census.
type contextControl struct {
	mu      sync.Mutex
	answer  bytes.Buffer
	over    bool // the answer passed maxAnswer
	census  censusState
	statLog []*trackedFile
}

// censusState is where a census is: the host arms it before the call, and
// the guest's first write to the control file starts the log of Stat calls.
type censusState int

const (
	censusOff censusState = iota
	censusArmed
	censusLogging
)

// maxAnswer caps one answer of the cell runner: a cell's results and error.
const maxAnswer = 32 << 20

func (c *contextControl) noteStat(f *trackedFile) {
	c.mu.Lock()
	if c.census == censusLogging {
		c.statLog = append(c.statLog, f)
	}
	c.mu.Unlock()
}

// reset clears the answer before a request.
func (c *contextControl) reset() {
	c.mu.Lock()
	c.answer.Reset()
	c.over = false
	c.mu.Unlock()
}

// controlFile is the file the guest writes an answer to. The runner opens
// it read-only (the guard lets it open no file for writing) and writes:
// the file takes writes whatever the open's flags.
type controlFile struct {
	experimentalsys.UnimplementedFile
	ctl *contextControl
}

// Write implements experimentalsys.File.
func (f *controlFile) Write(p []byte) (int, experimentalsys.Errno) {
	c := f.ctl
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.census == censusArmed {
		c.census = censusLogging
	}
	if c.answer.Len()+len(p) > maxAnswer {
		c.over = true
		return 0, errNoSpace
	}
	c.answer.Write(p)
	return len(p), 0
}

// Close implements experimentalsys.File.
func (f *controlFile) Close() experimentalsys.Errno { return 0 }

// cloneMemFS copies a memFS: its tree (links, hard ones included, as they
// are), and the detached nodes that extra open files still hold. It returns
// the copy and the map from old nodes to new ones; the copy counts what it
// holds, and no descriptor holds its nodes yet (the caller's copies of
// memFiles take them). The caller holds m.mu.
func cloneMemFS(m *memFS, extra []*node) (*memFS, map[*node]*node) {
	c := &memFS{maxBytes: m.maxBytes, maxNodes: m.maxNodes, nextIno: m.nextIno}
	nodes := map[*node]*node{}
	var clone func(n *node) *node
	clone = func(n *node) *node {
		if d, ok := nodes[n]; ok {
			return d
		}
		d := &node{ino: n.ino, dir: n.dir, link: n.link, target: n.target, perm: n.perm, data: bytes.Clone(n.data), atim: n.atim, mtim: n.mtim, ctim: n.ctim}
		nodes[n] = d
		c.bytes += int64(len(d.data) + len(d.target))
		if n.dir {
			d.children = make(map[string]*node, len(n.children))
			for name, child := range n.children {
				cc := clone(child)
				d.children[name] = cc
				cc.nlink++
				c.nodes++
			}
		}
		return d
	}
	c.root = clone(m.root)
	c.root.nlink = 1
	for _, n := range extra {
		clone(n)
	}
	return c, nodes
}
