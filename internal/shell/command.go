package shell

import (
	"context"
	"io"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// Command is a program the shell runs in the host process: a core utility in
// Go, or the bridge to a wasm guest. It reads and writes only through inv (the
// sandbox filesystem and the streams), stops when ctx is done, and returns
// its exit status (0 to 255). It reports its own errors on inv.Stderr, as a
// GNU utility does ("ls: cannot access 'x': No such file or directory").
//
// A Command may be called from several goroutines at once (the stages of a
// pipeline); each call gets its own Invocation.
type Command func(ctx context.Context, inv *Invocation) int

// Commands maps a command name ("ls", "python3") to its implementation. The
// shell looks names up here after its builtins and functions; a name it does
// not find is "command not found" (exit 127).
type Commands map[string]Command

// Invocation is everything one run of a Command sees. Paths the command is
// given are sandbox paths: absolute ones start at the sandbox's "/", relative
// ones at Dir. Use Path to turn either into the name FS takes.
type Invocation struct {
	// FS is the sandbox filesystem, mounted at "/". Its paths are relative
	// to that root ("tmp/x"); see Path.
	FS experimentalsys.FS
	// Dir is the working directory: absolute and clean ("/workspace").
	Dir string
	// Args is the argument list; Args[0] is the name the command was called by.
	Args []string
	// Env is the exported environment, "KEY=value" pairs sorted by key.
	Env []string
	// Stdin, Stdout and Stderr are the command's streams. They are never nil.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Run runs another command as the shell's exec step would (a utility, a
	// guest, or a script by its #! line; not a builtin or function), for
	// env, xargs, find -exec and the like. sub.FS is ignored (always this
	// sandbox's). It returns the exit status: 127 when sub.Args[0] is not
	// found, 126 when it is not executable.
	Run func(ctx context.Context, sub *Invocation) int
	// LookPath tells where the shell finds name when it runs it as a command
	// (for which and command -v): a sandbox path such as "/usr/bin/ls" or
	// "/workspace/run.sh", or false when there is none.
	LookPath func(name string) (string, bool)
	// path is the shell's PATH variable when the shell made this
	// invocation: it holds even when PATH is not exported.
	path string
}

// searchPath is the PATH the shell searches for inv's commands: the
// shell's variable, else PATH in Env, else DefaultPath.
func (inv *Invocation) searchPath() string {
	switch {
	case inv.path != "":
		return inv.path
	case inv.hasEnv("PATH"):
		return inv.Getenv("PATH")
	}
	return DefaultPath
}

// hasEnv reports whether key is set in Env.
func (inv *Invocation) hasEnv(key string) bool {
	for _, kv := range inv.Env {
		if k, _, ok := strings.Cut(kv, "="); ok && k == key {
			return true
		}
	}
	return false
}

// Getenv returns the value of key in Env, or "" when it is unset.
func (inv *Invocation) Getenv(key string) string {
	for _, kv := range inv.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Abs returns p as a clean absolute sandbox path, resolved against Dir when
// it is relative. ".." never climbs above "/".
func (inv *Invocation) Abs(p string) string {
	return absPath(inv.Dir, p)
}

// Path returns the name FS takes for the sandbox path p (absolute, or
// relative to Dir): Abs(p) without its leading slash, "." for the root.
func (inv *Invocation) Path(p string) string {
	return FSPath(inv.Abs(p))
}

// FSPath turns a clean absolute sandbox path into the name FS takes.
func FSPath(abs string) string {
	if abs == "/" {
		return "."
	}
	return strings.TrimPrefix(abs, "/")
}
