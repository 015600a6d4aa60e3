package shell

import (
	"context"
	"fmt"
	"io"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
)

// nestedShell runs sh, bash or dash as a command, in this process and under
// this command line's limits:
//
//	sh [OPTIONS] -c SCRIPT [NAME [ARG...]]
//	sh [OPTIONS] FILE [ARG...]
//	sh [OPTIONS] [-s] [ARG...]        (the script from standard input)
//
// OPTIONS are set's (-e, -u, -x, -o pipefail, ...), combinable (-euc);
// -l (login) and -i are accepted and change nothing.
func (sh *cmdline) nestedShell(ctx context.Context, env *Invocation) int {
	argv := env.Args
	name := argv[0]
	var opts []string
	command, fromStdin := false, false
	args := argv[1:]
	for len(args) > 0 {
		a := args[0]
		if a == "--" || a == "-" {
			args = args[1:]
			break
		}
		if len(a) < 2 || (a[0] != '-' && a[0] != '+') {
			break
		}
		args = args[1:]
		if a[1] == '-' { // --login, --norc, --posix...
			continue
		}
		for _, c := range a[1:] {
			switch c {
			case 'c':
				command = true
			case 's':
				fromStdin = true
			case 'l', 'i':
			case 'o':
				if len(args) == 0 {
					fmt.Fprintf(env.Stderr, "%s: %co: option requires an argument\n", name, a[0])
					return 2
				}
				opts = append(opts, string(a[0])+"o", args[0])
				args = args[1:]
			default:
				opts = append(opts, string(a[0])+string(c))
			}
		}
	}
	spec := runSpec{name: name, opts: opts, dir: env.Dir, env: env.Env, stdin: env.Stdin, stdout: env.Stdout, stderr: env.Stderr}
	switch {
	case command:
		if len(args) == 0 {
			fmt.Fprintf(env.Stderr, "%s: -c: option requires an argument\n", name)
			return 2
		}
		spec.script = args[0]
		if len(args) > 1 {
			spec.name, spec.args = args[1], args[2:]
		}
	case !fromStdin && len(args) > 0:
		script, err := sh.readScript(env.Dir, args[0])
		if err != nil {
			fmt.Fprintf(env.Stderr, "%s: %s: %s\n", name, args[0], ErrText(err))
			return 127
		}
		spec.script, spec.name, spec.args = script, args[0], args[1:]
	default:
		spec.args = args
		var b strings.Builder
		if !isEmpty(env.Stdin) {
			if _, err := io.Copy(&b, io.LimitReader(env.Stdin, MaxScript+1)); err != nil {
				fmt.Fprintf(env.Stderr, "%s: reading standard input: %v\n", name, err)
				return 2
			}
		}
		spec.script, spec.stdin = b.String(), nil
	}
	return sh.run(ctx, spec)
}

// readScript reads a script file from the sandbox, up to MaxScript+1 bytes
// (run refuses anything longer).
func (sh *cmdline) readScript(dir, p string) (string, error) {
	name, err := sh.resolve(absPath(dir, p), true)
	if err != nil {
		return "", err
	}
	f, errno := sh.fs.OpenFile(name, experimentalsys.O_RDONLY, 0)
	if errno != 0 {
		return "", errno
	}
	defer f.Close()
	if isDir, _ := f.IsDir(); isDir {
		return "", experimentalsys.EISDIR
	}
	var b strings.Builder
	_, err = io.Copy(&b, io.LimitReader(&sandboxFile{f: f}, MaxScript+1))
	return b.String(), err
}
