package runtime

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"

	"github.com/wasmbox/wasmbox/internal/evaltest"
)

// Defaults for SandboxConfig fields left zero.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultMemoryLimit = 128 << 20 // bytes of guest linear memory
	DefaultMaxOutput   = 1 << 20   // bytes kept of each of stdout and stderr
	DefaultMaxFSBytes  = 64 << 20  // bytes of file contents in the sandbox
	DefaultMaxFiles    = 4096      // files and directories in the sandbox
	// MaxMemoryLimit is the most linear memory a 32-bit WebAssembly module
	// can address.
	MaxMemoryLimit = 4 << 30
)

// ScriptPath is where PythonRunner and EvalTester put the code they run.
const ScriptPath = evaltest.ScriptPath

// SandboxConfig sets a sandbox's limits. Zero fields take the defaults above.
type SandboxConfig struct {
	// Timeout is the wall-clock limit of each Exec.
	Timeout time.Duration
	// MemoryLimit caps each instance's linear memory, in bytes (rounded down
	// to whole 64 KiB pages).
	MemoryLimit uint64
	// MaxOutput caps what is kept of each of stdout and stderr, in bytes.
	MaxOutput int64
	// MaxFSBytes caps the total size of the files in the sandbox.
	MaxFSBytes int64
	// MaxFiles caps the number of directory entries (files, directories,
	// links) in the sandbox.
	MaxFiles int
	// MaxOpenFiles caps the file descriptors each Exec's instance may hold
	// open at once (default DefaultMaxOpenFiles, as RLIMIT_NOFILE); past it,
	// opening fails with EMFILE.
	MaxOpenFiles int
	// Env is the guest's environment. It is empty unless set here or in
	// ExecOptions.Env; the host's environment is never passed through.
	Env map[string]string
	// Packages, when set, are mounted read-only under PackagesDir in every
	// interpreter the sandbox runs and put on sys.path after the script's
	// directory, before the standard library (see Packages). Nil: none,
	// only the standard library can be imported.
	Packages *Packages
}

// withDefaults fills zero fields and checks the rest against the engine.
func (c SandboxConfig) withDefaults(e *Engine) (SandboxConfig, error) {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = DefaultMemoryLimit
	}
	if c.MaxOutput == 0 {
		c.MaxOutput = DefaultMaxOutput
	}
	if c.MaxFSBytes == 0 {
		c.MaxFSBytes = DefaultMaxFSBytes
	}
	if c.MaxFiles == 0 {
		c.MaxFiles = DefaultMaxFiles
	}
	if c.MaxOpenFiles == 0 {
		c.MaxOpenFiles = DefaultMaxOpenFiles
	}
	switch {
	case c.Timeout < 0:
		return c, fmt.Errorf("wasmbox: timeout %v is negative", c.Timeout)
	case c.MaxOutput < 0:
		return c, fmt.Errorf("wasmbox: output cap %d is negative", c.MaxOutput)
	case c.MaxFSBytes < 0 || c.MaxFiles < 0 || c.MaxOpenFiles < 0:
		return c, errors.New("wasmbox: filesystem caps must not be negative")
	}
	return c, checkMemoryLimit(e, c.MemoryLimit)
}

func checkMemoryLimit(e *Engine, limit uint64) error {
	switch {
	case limit > MaxMemoryLimit:
		return fmt.Errorf("wasmbox: memory limit %d bytes is over the 4 GiB a wasm32 module can address", limit)
	case limit < e.minMemory:
		return fmt.Errorf("wasmbox: memory limit %d bytes is below the %d bytes (%d MiB) the interpreter needs to start", limit, e.minMemory, e.minMemory>>20)
	}
	return nil
}

// Sandbox is an isolated place to run Python: an in-memory filesystem that
// lasts across Exec calls until Destroy, and the limits every Exec gets.
// Its methods are safe for concurrent use.
type Sandbox struct {
	engine *Engine
	cfg    SandboxConfig
	fs     *memFS

	mu        sync.Mutex
	destroyed bool
}

// NewSandbox makes a sandbox with an empty filesystem holding /tmp.
func (e *Engine) NewSandbox(cfg SandboxConfig) (*Sandbox, error) {
	cfg, err := cfg.withDefaults(e)
	if err != nil {
		return nil, err
	}
	s := &Sandbox{engine: e, cfg: cfg, fs: newMemFS(cfg.MaxFSBytes, cfg.MaxFiles)}
	if err := s.Mkdir("/tmp"); err != nil {
		return nil, err
	}
	return s, nil
}

// Errors returned by the sandbox's file methods, to test with errors.Is.
var (
	// ErrDestroyed: the sandbox was destroyed.
	ErrDestroyed = errors.New("sandbox destroyed")
	// ErrNoSpace: the write would pass the sandbox's byte or file cap.
	ErrNoSpace = errors.New("no space left in the sandbox filesystem")
)

// FileInfo describes a file, directory or symbolic link in a sandbox.
type FileInfo struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	IsDir   bool      `json:"isDir"`
	ModTime time.Time `json:"modTime"`
	// LinkTarget is a symbolic link's target, as written; empty for files
	// and directories. A link's IsDir is false whatever it points to.
	LinkTarget string `json:"linkTarget,omitempty"`
	// Mode is the permission bits, with fs.ModeDir for a directory and
	// fs.ModeSymlink for a symbolic link.
	Mode fs.FileMode `json:"mode"`
}

// op checks the sandbox is alive and p is an absolute path, and runs fn
// with the cleaned path under the filesystem lock. Errors name the operation
// and path, like *fs.PathError.
func (s *Sandbox) op(name, p string, fn func(clean string) experimentalsys.Errno) error {
	s.mu.Lock()
	destroyed := s.destroyed
	s.mu.Unlock()
	switch {
	case destroyed:
		return &fs.PathError{Op: name, Path: p, Err: ErrDestroyed}
	case !strings.HasPrefix(p, "/"):
		return &fs.PathError{Op: name, Path: p, Err: errors.New("path must be absolute")}
	case strings.IndexByte(p, 0) >= 0:
		return &fs.PathError{Op: name, Path: p, Err: errors.New("path contains a NUL byte")}
	}
	if err := devRefusal(name, p); err != nil {
		return &fs.PathError{Op: name, Path: p, Err: err}
	}
	s.fs.mu.Lock()
	defer s.fs.mu.Unlock()
	if errno := fn(path.Clean(p)); errno != 0 {
		return &fs.PathError{Op: name, Path: p, Err: hostErr(errno)}
	}
	return nil
}

// hostErr turns a filesystem errno into an error that works with errors.Is
// and fs.ErrNotExist and friends.
func hostErr(errno experimentalsys.Errno) error {
	switch errno {
	case experimentalsys.ENOENT:
		return fs.ErrNotExist
	case experimentalsys.EEXIST:
		return fs.ErrExist
	case errNoSpace:
		return ErrNoSpace
	}
	return errno
}

// mkdirAll creates p and its parents, following links on the way. The
// caller holds s.fs.mu.
func (s *Sandbox) mkdirAll(p string) experimentalsys.Errno {
	elems := split(p)
	for i := range elems {
		w, errno := s.fs.walk(strings.Join(elems[:i+1], "/"), true)
		switch {
		case errno == experimentalsys.ENOENT && w.dir != nil:
			if _, errno = s.fs.create(w.dir, w.name, true, 0o755); errno != 0 {
				return errno
			}
		case errno != 0:
			return errno
		case !w.n.dir:
			return experimentalsys.ENOTDIR
		}
	}
	return 0
}

// WriteFile writes data to the file at path, creating it and any missing
// parent directories, and replacing what it held.
func (s *Sandbox) WriteFile(p string, data []byte) error {
	return s.op("write", p, func(clean string) experimentalsys.Errno {
		if errno := s.mkdirAll(path.Dir(clean)); errno != 0 {
			return errno
		}
		w, errno := s.fs.walk(clean, true)
		n := w.n
		switch {
		case errno == experimentalsys.ENOENT && w.dir != nil:
			if n, errno = s.fs.create(w.dir, w.name, false, 0o644); errno != 0 {
				return errno
			}
		case errno != 0:
			return errno
		}
		if n.dir {
			return experimentalsys.EISDIR
		}
		s.fs.resize(n, 0)
		if errno := s.fs.resize(n, int64(len(data))); errno != 0 {
			return errno
		}
		copy(n.data, data)
		n.mtim = time.Now().UnixNano()
		return 0
	})
}

// ReadFile returns the contents of the file at path.
func (s *Sandbox) ReadFile(p string) ([]byte, error) {
	var data []byte
	err := s.op("read", p, func(clean string) experimentalsys.Errno {
		n, errno := s.fs.lookup(clean)
		if errno != 0 {
			return errno
		}
		if n.dir {
			return experimentalsys.EISDIR
		}
		data = append([]byte{}, n.data...)
		return 0
	})
	return data, err
}

// ListFiles lists the directory at path, sorted by name.
func (s *Sandbox) ListFiles(dir string) ([]FileInfo, error) {
	var out []FileInfo
	err := s.op("list", dir, func(clean string) experimentalsys.Errno {
		if list, errno, ok := devListing(clean); ok {
			out = list
			return errno
		}
		n, errno := s.fs.lookup(clean)
		if errno != 0 {
			return errno
		}
		if !n.dir {
			return experimentalsys.ENOTDIR
		}
		out = make([]FileInfo, 0, len(n.children))
		for name, c := range n.children {
			mode := c.perm
			switch {
			case c.dir:
				mode |= fs.ModeDir
			case c.target != "":
				mode |= fs.ModeSymlink
			}
			out = append(out, FileInfo{Name: name, Path: path.Join(clean, name), Size: c.stat().Size, IsDir: c.dir, ModTime: time.Unix(0, c.mtim), LinkTarget: c.target, Mode: mode})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		if clean == "/" {
			out = withDevEntry(out)
		}
		return 0
	})
	return out, err
}

// Mkdir creates the directory at path and any missing parents, like
// `mkdir -p`.
func (s *Sandbox) Mkdir(p string) error {
	return s.op("mkdir", p, s.mkdirAll)
}

// Symlink makes a symbolic link at path to target, kept as written. Like
// every link in the sandbox, it resolves inside the sandbox only.
func (s *Sandbox) Symlink(target, p string) error {
	return s.op("symlink", p, func(clean string) experimentalsys.Errno {
		return s.fs.symlink(target, clean)
	})
}

// Chmod sets the permission bits of the file or directory at path.
func (s *Sandbox) Chmod(p string, mode fs.FileMode) error {
	return s.op("chmod", p, func(clean string) experimentalsys.Errno {
		n, errno := s.fs.lookup(clean)
		if errno == 0 {
			n.perm = mode.Perm()
		}
		return errno
	})
}

// DeleteFile removes the file, link or empty directory at path.
func (s *Sandbox) DeleteFile(p string) error {
	return s.op("delete", p, func(clean string) experimentalsys.Errno {
		return s.fs.unlink(clean, removeFile|removeDir)
	})
}

// Exists reports whether a file or directory exists at path.
func (s *Sandbox) Exists(p string) bool {
	return s.op("stat", p, func(clean string) experimentalsys.Errno {
		if where, name := devRoute(clean); where == inDev {
			_, errno := devLookup(name, clean)
			return errno
		}
		_, errno := s.fs.lookup(clean)
		return errno
	}) == nil
}

// Destroy frees the sandbox's filesystem. Later calls fail with
// ErrDestroyed; Destroy itself may be called again.
func (s *Sandbox) Destroy() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.destroyed {
		s.destroyed = true
		s.fs.mu.Lock()
		s.fs.reset()
		s.fs.mu.Unlock()
	}
	return nil
}
