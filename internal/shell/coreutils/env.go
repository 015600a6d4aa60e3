// Package coreutils holds the core utilities of the sandbox's shell (ls, cat,
// cp, grep, sed, awk, tar, ...), written in Go over the sandbox filesystem.
//
// A utility never touches the host: it reads and writes only through the
// invocation's FS (so the filesystem's byte and entry caps apply), its
// streams and environment come from the invocation, and a utility that runs
// another command (env, xargs) does so through Invocation.Run, which the
// shell supplies. Every loop over input or files checks the context, so a
// cancelled command line stops.
//
// Utilities follow GNU's options, messages and exit codes where scripts
// depend on them; the package tests compare them with GNU's on the same
// tree. The sandbox has one user: id and whoami report root (uid 0, gid 0),
// as a container's default user; uname reports Linux on a "wasm32" machine
// named "wasmbox", and nproc 1.
package coreutils

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/wasmbox/wasmbox/internal/shell"
)

// Config holds what the utilities share across a sandbox. The zero value
// uses the host's clock and crypto/rand.
type Config struct {
	// Now is the clock of date, touch and mktemp; nil is time.Now.
	Now func() time.Time
	// Rand feeds mktemp's names; nil is crypto/rand.
	Rand io.Reader
}

// util is one utility's body; the call carries its invocation.
type util func(c *call) int

// registry maps utility names to their bodies; each utility's file adds
// itself in an init function.
var registry = map[string]util{}

// register adds a utility under its names; a name registered twice is a
// programming error.
func register(u util, names ...string) {
	for _, n := range names {
		if _, dup := registry[n]; dup {
			panic("coreutils: " + n + " registered twice")
		}
		registry[n] = u
	}
}

// Commands returns the utilities as shell commands, a new map the caller
// may extend (with python3, say).
func Commands(cfg Config) shell.Commands {
	cmds := make(shell.Commands, len(registry))
	for name, u := range registry {
		cmds[name] = func(ctx context.Context, inv *shell.Invocation) (status int) {
			// A bug is an error the user reads, not a crash of the host.
			defer func() {
				if r := recover(); r != nil {
					fmt.Fprintf(inv.Stderr, "%s: internal error: %v\n", name, r)
					status = exitInternal
				}
			}()
			return u(newCall(ctx, inv, &cfg))
		}
	}
	return cmds
}

// exitInternal is the status of a utility that failed on a bug (BSD's
// EX_SOFTWARE).
const exitInternal = 70

// Names lists the utilities, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// now returns the current time from the configured clock.
func (c *call) now() time.Time {
	if c.cfg.Now == nil {
		return time.Now()
	}
	return c.cfg.Now()
}

// random returns the configured source of random bytes.
func (c *call) random() io.Reader {
	if c.cfg.Rand == nil {
		return rand.Reader
	}
	return c.cfg.Rand
}

// lookupEnv returns name's value and whether it is set.
func (c *call) lookupEnv(name string) (string, bool) {
	return lookupEnv(c.Env, name)
}

func lookupEnv(environ []string, name string) (string, bool) {
	for i := len(environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(environ[i], "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}
