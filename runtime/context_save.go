package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/wasmbox/wasmbox/validate"
)

// Errors of Context.Save and Engine.ResumeContext, to test with errors.Is.
var (
	// ErrSnapshotMismatch: the saved context comes from another build, or
	// from an engine with another interpreter snapshot: its interpreter,
	// standard library or base memory differ from the engine's.
	ErrSnapshotMismatch = errors.New("the saved context does not fit this engine")
	// ErrSnapshotCorrupt: the bytes are not a saved context, or fail its
	// checksum.
	ErrSnapshotCorrupt = errors.New("the saved context is corrupt")
)

// savedFormat opens a saved context. The bytes are: this line; the length
// of the JSON metadata (savedContext) as 4 bytes little-endian; the
// metadata; the memory's chunks that differ from the context base, in the
// snapshot file's encoding (snapshot.encode); the SHA-256 of all before.
const savedFormat = "wasmbox-context-1\n"

// savedContext is a saved context's metadata, JSON in the saved bytes.
type savedContext struct {
	Interpreter string       `json:"interpreter"` // the module's SHA-256
	Stdlib      string       `json:"stdlib"`      // the standard library's
	Base        string       `json:"base"`        // the contextBase's SHA-256
	Options     savedOptions `json:"options"`
	Count       int          `json:"count"`
	Nodes       []savedNode  `json:"nodes"`
	Files       []savedFile  `json:"files"`
}

type savedOptions struct {
	MemoryLimit uint64            `json:"memoryLimit"`
	Timeout     time.Duration     `json:"timeout"`
	IdleTTL     time.Duration     `json:"idleTTL"`
	MaxOutput   int64             `json:"maxOutput"`
	Cwd         string            `json:"cwd"`
	Env         map[string]string `json:"env"`
	// Policy and AllowedModules are the context's policy (its name, and
	// every module it allows). Saves made before contexts had a policy
	// have neither: they ran under none, and resume so.
	Policy         string   `json:"policy,omitempty"`
	AllowedModules []string `json:"allowedModules,omitempty"`
}

// savePolicy is p in a save's options.
func (o *savedOptions) savePolicy(p validate.Policy) {
	if p.Enabled() {
		o.Policy, o.AllowedModules = p.Name(), p.AllowedModules()
	}
}

// policy is the saved policy; a save without one ran under none.
func (o savedOptions) policy() (validate.Policy, error) {
	if o.Policy == "" {
		return noPolicy, nil
	}
	p, err := validate.PolicyByName(o.Policy)
	if err == nil {
		p, err = p.WithAllowedImports(o.AllowedModules...)
	}
	return p, err
}

// savedNode is a file, directory or symbolic link (Link is its target);
// Path is empty for a file unlinked while open. A file with hard links is
// saved once per name, and resumes as that many files.
type savedNode struct {
	Path string      `json:"path,omitempty"`
	Dir  bool        `json:"dir,omitempty"`
	Link string      `json:"link,omitempty"`
	Perm fs.FileMode `json:"perm"`
	Data []byte      `json:"data,omitempty"`
	Atim int64       `json:"atim"`
	Mtim int64       `json:"mtim"`
}

// savedFile is an open file: a node of the memFS (Node) or a path of the
// standard library's mount.
type savedFile struct {
	Fd       int32  `json:"fd"`
	Mount    int    `json:"mount"`
	Node     int    `json:"node"`
	Path     string `json:"path"`
	Dir      bool   `json:"dir,omitempty"`
	Off      int64  `json:"off"`
	Readable bool   `json:"readable,omitempty"`
	Writable bool   `json:"writable,omitempty"`
	Append   bool   `json:"append,omitempty"`
}

// Save writes c's state to bytes that Engine.ResumeContext turns back into
// a context, in this process or another running the same build: the
// linear memory that differs from the engine's snapshot, the sandbox's
// files, the open files and the context's options, behind a SHA-256.
func (c *Context) Save(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inst == nil {
		return nil, c.ended
	}
	ctx, stop := c.stoppable(ctx)
	defer stop(nil)
	files, err := c.census(ctx)
	if err != nil {
		return nil, err
	}
	e := c.engine
	base, err := e.base(ctx)
	if err != nil {
		return nil, err
	}
	meta := savedContext{
		Interpreter: e.interp.sum, Stdlib: e.interp.stdlibSum, Base: base.sum, Count: c.count,
		Options: savedOptions{MemoryLimit: c.opts.MemoryLimit, Timeout: c.opts.Timeout, IdleTTL: c.opts.IdleTTL, MaxOutput: c.opts.MaxOutput, Cwd: c.opts.Cwd, Env: c.opts.Env},
	}
	meta.Options.savePolicy(*c.opts.Policy)
	root := c.sandbox.fs
	root.mu.Lock()
	index := saveTree(root, &meta.Nodes)
	for _, f := range files {
		sf := savedFile{Fd: f.fd, Mount: f.mount, Node: -1, Path: f.path, Dir: f.dir, Off: f.off}
		if m := f.mem; m != nil {
			n, ok := index[m.n]
			if !ok {
				n = len(meta.Nodes)
				index[m.n] = n
				meta.Nodes = append(meta.Nodes, savedNode{Perm: m.n.perm, Data: bytes.Clone(m.n.data), Atim: m.n.atim, Mtim: m.n.mtim})
			}
			sf.Node, sf.Off, sf.Readable, sf.Writable, sf.Append = n, m.off, m.readable, m.writable, m.append
		}
		meta.Files = append(meta.Files, sf)
	}
	root.mu.Unlock()
	cur, _ := c.inst.mod.Memory().Read(0, c.inst.mod.Memory().Size())
	mem := diffImage(base.image, cur)
	header, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	out := append([]byte(savedFormat), binary.LittleEndian.AppendUint32(nil, uint32(len(header)))...)
	out = append(out, header...)
	out = append(out, mem.encode()...)
	sum := sha256.Sum256(out)
	return append(out, sum[:]...), nil
}

// saveTree lists the memFS's nodes, parents before children, and returns
// each node's index. The caller holds m.mu.
func saveTree(m *memFS, out *[]savedNode) map[*node]int {
	index := map[*node]int{}
	var walk func(p string, n *node)
	walk = func(p string, n *node) {
		index[n] = len(*out)
		*out = append(*out, savedNode{Path: p, Dir: n.dir, Link: n.target, Perm: n.perm, Data: bytes.Clone(n.data), Atim: n.atim, Mtim: n.mtim})
		for _, name := range slices.Sorted(maps.Keys(n.children)) {
			walk(path.Join(p, name), n.children[name])
		}
	}
	walk("/", m.root)
	return index
}

// ResumeContext starts a context from bytes that Context.Save wrote, over
// the sandbox s: the saved files are written into s (replacing files at the
// same paths), and the context keeps its saved options, each at most the
// sandbox's own limit, and its policy: the guard armed in the saved memory
// is the saved context's, and its cells are checked statically again
// (SkipStaticCheck is not saved). A save made before contexts had a policy
// resumes under none, as it ran. Bytes saved by another build, or by an
// engine with another interpreter snapshot, fail with ErrSnapshotMismatch;
// damaged ones, or ones naming an unknown policy, with ErrSnapshotCorrupt.
func (e *Engine) ResumeContext(ctx context.Context, s *Sandbox, data []byte) (*Context, error) {
	if s.engine != e {
		return nil, errors.New("wasmbox: the sandbox belongs to another engine")
	}
	meta, mem, err := e.decodeSaved(ctx, data)
	if err != nil {
		return nil, err
	}
	// The bytes may come from anyone: the sandbox's own limits bound the
	// ones they carry.
	o := meta.Options
	policy, err := o.policy()
	if err != nil {
		return nil, fmt.Errorf("wasmbox: %w: its policy: %v", ErrSnapshotCorrupt, err)
	}
	opts, err := s.contextOptions(ContextOptions{
		MemoryLimit: min(o.MemoryLimit, s.cfg.MemoryLimit), Timeout: min(o.Timeout, s.cfg.Timeout), MaxOutput: min(o.MaxOutput, s.cfg.MaxOutput),
		IdleTTL: o.IdleTTL, Cwd: o.Cwd, Env: o.Env, Policy: &policy,
	})
	if err != nil {
		return nil, fmt.Errorf("wasmbox: the saved context's options: %w", err)
	}
	if mem.size > opts.MemoryLimit {
		return nil, fmt.Errorf("%w: the saved context holds %d bytes, its limit is %d", errSnapshotMemory, mem.size, opts.MemoryLimit)
	}
	files, err := s.restoreFiles(meta)
	if err != nil {
		return nil, err
	}
	inst, err := e.newContextInstance(ctx, s.fs, s.cfg.Packages, opts.MemoryLimit)
	if err != nil {
		return nil, err
	}
	err = inst.restoreBase(ctx)
	if err == nil {
		err = mem.restore(inst.mod.Memory())
	}
	if err == nil {
		err = inst.reopen(ctx, files, hostCallTimeout)
	}
	if err != nil {
		inst.close()
		return nil, err
	}
	c := &Context{engine: e, sandbox: s, opts: opts, count: meta.Count}
	c.start(inst)
	return c, nil
}

// decodeSaved checks data's checksum and build, and parses it.
func (e *Engine) decodeSaved(ctx context.Context, data []byte) (*savedContext, *snapshot, error) {
	corrupt := func(why string) error { return fmt.Errorf("wasmbox: %w: %s", ErrSnapshotCorrupt, why) }
	if !bytes.HasPrefix(data, []byte(savedFormat)) {
		return nil, nil, corrupt("it does not start as one")
	}
	if len(data) < len(savedFormat)+4+sha256.Size {
		return nil, nil, corrupt("it is truncated")
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, nil, corrupt("its SHA-256 does not match its contents")
	}
	body = body[len(savedFormat):]
	n := uint64(binary.LittleEndian.Uint32(body))
	body = body[4:]
	if n > uint64(len(body)) {
		return nil, nil, corrupt("its header is truncated")
	}
	var meta savedContext
	if err := json.Unmarshal(body[:n], &meta); err != nil {
		return nil, nil, corrupt("its header: " + err.Error())
	}
	base, err := e.base(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range []struct{ what, saved, ours, why string }{
		{"interpreter", meta.Interpreter, e.interp.sum, "another wasmbox build"},
		{"standard library", meta.Stdlib, e.interp.stdlibSum, "another wasmbox build"},
		{"interpreter snapshot", meta.Base, base.sum, "another build, or another machine or cache directory (each takes its own snapshot)"},
	} {
		if f.saved != f.ours {
			return nil, nil, fmt.Errorf("wasmbox: %w: its %s has SHA-256 %.12s…, this engine's %.12s…: it was saved by %s", ErrSnapshotMismatch, f.what, f.saved, f.ours, f.why)
		}
	}
	mem, err := decodeSnapshot(body[n:])
	if err != nil {
		return nil, nil, corrupt("its memory: " + err.Error())
	}
	if err := meta.check(); err != nil {
		return nil, nil, corrupt(err.Error())
	}
	return &meta, mem, nil
}

// maxSavedFd bounds the descriptors of a saved context: the reopen opens a
// placeholder for each free number below the highest.
const maxSavedFd = 1 << 16

// check validates what restoreFiles and reopen rely on.
func (m *savedContext) check() error {
	if len(m.Nodes) == 0 || m.Nodes[0].Path != "/" || !m.Nodes[0].Dir {
		return errors.New("its filesystem has no root")
	}
	for _, n := range m.Nodes[1:] {
		if n.Path != "" && (path.Clean(n.Path) != n.Path || !strings.HasPrefix(n.Path, "/") || n.Path == "/") {
			return fmt.Errorf("bad path %q", n.Path)
		}
	}
	last := int32(firstFileFd - 1)
	for _, f := range m.Files {
		switch {
		case f.Fd <= last:
			return fmt.Errorf("descriptor %d out of order", f.Fd)
		case f.Fd >= maxSavedFd:
			return fmt.Errorf("descriptor %d is past %d", f.Fd, maxSavedFd)
		case f.Mount != 0 && f.Mount != 1:
			return fmt.Errorf("descriptor %d: no mount %d", f.Fd, f.Mount)
		case f.Mount == 0 && !f.Dir && !inPackages(f.Path) && (f.Node < 0 || f.Node >= len(m.Nodes) || m.Nodes[f.Node].Dir):
			return fmt.Errorf("descriptor %d: no file %d", f.Fd, f.Node)
		case f.Off < 0:
			return fmt.Errorf("descriptor %d: negative offset", f.Fd)
		}
		last = f.Fd
	}
	return nil
}

// restoreFiles writes the saved files into the sandbox and returns the open
// files on them.
func (s *Sandbox) restoreFiles(meta *savedContext) ([]openFile, error) {
	s.mu.Lock()
	destroyed := s.destroyed
	s.mu.Unlock()
	if destroyed {
		return nil, ErrDestroyed
	}
	m := s.fs
	m.mu.Lock()
	defer m.mu.Unlock()
	nodes := make([]*node, len(meta.Nodes))
	for i, sn := range meta.Nodes {
		n, err := s.restoreNode(sn)
		if err != nil {
			return nil, &fs.PathError{Op: "resume", Path: sn.Path, Err: err}
		}
		nodes[i] = n
	}
	files := make([]openFile, len(meta.Files))
	for i, sf := range meta.Files {
		if inPackages(sf.Path) && !s.cfg.Packages.has(sf.Path) {
			return nil, &fs.PathError{Op: "resume", Path: sf.Path, Err: fmt.Errorf("the context holds open a package file this sandbox's packages lack: %w", fs.ErrNotExist)}
		}
		files[i] = openFile{fd: sf.Fd, mount: sf.Mount, path: strings.TrimPrefix(sf.Path, "/"), dir: sf.Dir, off: sf.Off}
		if sf.Mount == 0 && !sf.Dir && !inPackages(sf.Path) {
			files[i].mem = &memFile{fs: m, n: nodes[sf.Node], off: sf.Off, readable: sf.Readable, writable: sf.Writable, append: sf.Append}
			files[i].mem.n.open++
		}
	}
	return files, nil
}

// restoreNode makes sn in the sandbox's memFS, replacing a file at its
// path; a node without a path is made detached. The caller holds s.fs.mu.
func (s *Sandbox) restoreNode(sn savedNode) (*node, error) {
	m := s.fs
	var n *node
	switch {
	case sn.Path == "":
		// Detached, as an unlinked file: counted until its last descriptor
		// closes, like any other.
		if m.bytes+int64(len(sn.Data)) > m.maxBytes {
			return nil, ErrNoSpace
		}
		n = m.newNode(false, sn.Perm)
		n.data = sn.Data
		m.bytes += int64(len(sn.Data))
	case sn.Link != "":
		if errno := s.mkdirAll(path.Dir(sn.Path)); errno != 0 {
			return nil, hostErr(errno)
		}
		if w, errno := m.walk(sn.Path, false); errno == 0 && !w.n.dir {
			m.detach(w.dir, w.name)
		}
		if errno := m.symlink(sn.Link, sn.Path); errno != 0 {
			return nil, hostErr(errno)
		}
		w, _ := m.walk(sn.Path, false)
		n = w.n
	case sn.Dir:
		if errno := s.mkdirAll(sn.Path); errno != 0 {
			return nil, hostErr(errno)
		}
		n, _ = m.lookup(sn.Path)
	default:
		if errno := s.mkdirAll(path.Dir(sn.Path)); errno != 0 {
			return nil, hostErr(errno)
		}
		w, errno := m.walk(sn.Path, true)
		n = w.n
		if errno == experimentalsys.ENOENT && w.dir != nil {
			n, errno = m.create(w.dir, w.name, false, sn.Perm)
		}
		switch {
		case errno != 0:
			return nil, hostErr(errno)
		case n.dir:
			return nil, hostErr(experimentalsys.EISDIR)
		}
		m.resize(n, 0)
		if errno := m.resize(n, int64(len(sn.Data))); errno != 0 {
			return nil, hostErr(errno)
		}
		copy(n.data, sn.Data)
	}
	n.perm, n.atim, n.mtim = sn.Perm.Perm(), sn.Atim, sn.Mtim
	return n, nil
}
