// Package coreutils holds the core utilities of the sandbox's shell (ls, cat,
// cp, grep, sed, awk, tar, ...), written in Go over the sandbox filesystem.
//
// A utility never touches the host: it reads and writes only through
// Env.FS (so the filesystem's byte and entry caps apply), its streams and
// its environment come from Env, and a utility that runs another command
// (env, xargs) does so through Env.Run, which the shell supplies. Every loop
// over input or files checks the context, so a cancelled command line stops.
//
// Utilities follow GNU's options, messages and exit codes where scripts
// depend on them; the package tests compare them with GNU's on the same
// tree. The sandbox has one user: id and whoami report root (uid 0, gid 0),
// as a container's default user.
package coreutils

import (
	"context"
	"crypto/rand"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// Env is what a utility runs with. The shell fills one per command.
type Env struct {
	// FS is the sandbox filesystem, rooted at the sandbox's "/".
	FS experimentalsys.FS
	// Dir is the working directory, an absolute sandbox path.
	Dir string
	// Environ is the command's environment, "NAME=value" entries.
	Environ []string
	// Stdin, Stdout and Stderr are the command's streams; a nil Stdin reads
	// as empty and a nil Stdout or Stderr discards.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Run runs argv as the shell runs an external command (a utility, a
	// python guest or an executable script; not a function or builtin) with
	// sub's streams, environment and directory, and returns its exit status.
	// env and xargs need it; when nil they answer 126.
	Run func(ctx context.Context, sub *Env, argv []string) int
	// Known reports whether the shell provides a command without a file
	// (a utility or python3); which prints /usr/bin/NAME for those. When nil,
	// which knows this package's utilities only.
	Known func(name string) bool
	// Now is the clock of date, touch and mktemp; nil is the host's.
	Now func() time.Time
	// Rand feeds mktemp's names; nil is crypto/rand.
	Rand io.Reader
}

// Util is a core utility: argv[0] is the name it was called by (messages
// start with it), and the result is the exit status.
type Util func(ctx context.Context, env *Env, argv []string) int

// registry maps utility names to their functions; each utility's file adds
// itself in an init function.
var registry = map[string]Util{}

// register adds utilities; a name registered twice is a programming error.
func register(u Util, names ...string) {
	for _, n := range names {
		if _, dup := registry[n]; dup {
			panic("coreutils: " + n + " registered twice")
		}
		registry[n] = u
	}
}

// Lookup returns the utility named name.
func Lookup(name string) (Util, bool) {
	u, ok := registry[name]
	return u, ok
}

// Names lists the utilities, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Getenv returns the value of name in the environment, "" when unset.
func (e *Env) Getenv(name string) string {
	v, _ := e.lookupEnv(name)
	return v
}

func (e *Env) lookupEnv(name string) (string, bool) {
	for i := len(e.Environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.Environ[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// abs returns p as an absolute, cleaned sandbox path.
func (e *Env) abs(p string) string {
	if !path.IsAbs(p) {
		dir := e.Dir
		if dir == "" {
			dir = "/"
		}
		p = dir + "/" + p
	}
	return path.Clean(p)
}

// fsPath returns p as the FS wants it: relative to the root, "." for it.
func (e *Env) fsPath(p string) string {
	a := e.abs(p)
	if a == "/" {
		return "."
	}
	return a[1:]
}

// stdin returns the standard input, empty when none was given.
func (e *Env) stdin() io.Reader {
	if e.Stdin == nil {
		return strings.NewReader("")
	}
	return e.Stdin
}

// stdout and stderr return the output streams, discarding when none.
func (e *Env) stdout() io.Writer {
	if e.Stdout == nil {
		return io.Discard
	}
	return e.Stdout
}

func (e *Env) stderr() io.Writer {
	if e.Stderr == nil {
		return io.Discard
	}
	return e.Stderr
}

// now returns the current time from the environment's clock.
func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

// random returns the environment's source of random bytes.
func (e *Env) random() io.Reader {
	if e.Rand == nil {
		return rand.Reader
	}
	return e.Rand
}
