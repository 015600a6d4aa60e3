// Package coreutils holds the core utilities of the sandbox's shell, written
// in Go over the sandbox filesystem: ls cat mkdir rmdir rm cp mv touch ln
// readlink realpath stat chmod install truncate sync basename dirname head
// tail wc sort uniq cut tr tee tac rev paste comm grep egrep fgrep sed awk
// find xargs base64 md5sum sha1sum sha224sum sha256sum sha384sum sha512sum
// cmp diff od tar gzip gunzip zcat du env printenv sleep date mktemp seq expr
// id whoami uname hostname nproc true false yes which timeout nohup nice,
// and echo and printf as programs (for env, xargs and find -exec; the
// shell's builtins take the command position).
//
// A utility never touches the host: it reads and writes only through the
// invocation's FS (so the filesystem's byte and entry caps apply), its
// streams and environment come from the invocation, and a utility that runs
// another command (env, xargs, find -exec, timeout) does so through
// Invocation.Run, which the shell supplies. Every loop over input or files
// checks the context, so a cancelled command line stops; a utility whose
// reader went away ends with 141, as one killed by SIGPIPE.
//
// Utilities follow GNU's options, messages and exit codes where scripts
// depend on them; the package tests compare them with GNU's on the same
// tree. Where they differ from a Debian container:
//   - one user: id and whoami report root (uid 0, gid 0), as a container's
//     default user, and every file is root's; uname reports Linux on a
//     "wasm32" machine named "wasmbox"; nproc 1; date is UTC (TZ unread).
//   - patterns (grep, sed, expr, find -regex) are POSIX BREs and EREs run by
//     Go's regexp (leftmost-longest): no back-references inside patterns
//     (they work in sed's replacements); grep -P is Go's syntax.
//   - awk is GoAWK: no system(), pipes, getline from files or output to
//     files (print > "/dev/stderr" included); FILENAME reads "-".
//   - memory: sort, tail, tac, head -n -N and sed's spaces hold at most 256
//     MiB (maxHold), diff 64 MiB a file, lines 16 MiB; past that they fail.
//   - not there: ls columns (-C) and colours, tail -f, diff -c, sed's l, R
//     and e, tar's bzip2 and xz; gzip's bytes differ from GNU's (the same
//     data); directories are walked in name order.
//   - /dev/null, /dev/zero, /dev/urandom, /dev/stdin, /dev/stdout and
//     /dev/stderr work as utilities' file operands.
//   - tar writes members in name order, owned by root, so the same tree
//     gives the same bytes; extracting refuses members with ".." and writes
//     through symbolic links.
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
