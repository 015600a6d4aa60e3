package shell

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"mvdan.cc/sh/v3/interp"
)

// maxInterpreters is how many #! interpreters a script may chain through.
const maxInterpreters = 4

// systemDirs hold the commands the shell provides without a file:
// /usr/bin/env, /bin/sh and the like name them when the sandbox has no such
// file.
var systemDirs = map[string]bool{"/bin": true, "/usr/bin": true, "/usr/local/bin": true, "/sbin": true, "/usr/sbin": true}

// exec is the interpreter's exec handler, the end of its chain: it never
// calls the default, which would run host programs.
func (sh *cmdline) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	inv := sh.invocation(hc)
	var status int
	switch args[0] {
	case lookupName:
		status = sh.commandV(hc, inv, args[1] == "-V", args[2:])
	case typeName:
		status = sh.typeBuiltin(hc, inv, args[1:])
	case cdFailName:
		fmt.Fprintf(inv.Stderr, "sh: cd: %s: %s\n", args[1], args[2])
		status = 1
	default:
		status = sh.runCommand(ctx, inv, args, 0)
	}
	if err := sh.stopErr(); err != nil {
		return err
	}
	if status != 0 {
		return interp.ExitStatus(uint8(status))
	}
	return nil
}

// invocation is what a command run from the interpreter's state hc sees,
// its Args left to fill.
func (sh *cmdline) invocation(hc interp.HandlerContext) *Invocation {
	return sh.complete(&Invocation{
		path:   hc.Env.Get("PATH").String(),
		Dir:    hc.Dir,
		Env:    exported(hc.Env),
		Stdin:  nilIfEmpty(hc.Stdin),
		Stdout: capped(hc.Stdout),
		Stderr: capped(hc.Stderr),
	})
}

// complete fills inv's FS, Run and LookPath with the shell's, and its
// missing streams.
func (sh *cmdline) complete(inv *Invocation) *Invocation {
	inv.FS = sh.fs
	if inv.Dir == "" {
		inv.Dir = "/"
	}
	if inv.Stdin == nil {
		inv.Stdin = devNull{}
	}
	if inv.Stdout == nil {
		inv.Stdout = devNull{}
	}
	if inv.Stderr == nil {
		inv.Stderr = devNull{}
	}
	inv.Run = sh.runSub
	inv.LookPath = func(name string) (string, bool) { return sh.lookPath(inv, name) }
	return inv
}

// runSub is Invocation.Run: env, xargs and find -exec run commands through
// it.
func (sh *cmdline) runSub(ctx context.Context, sub *Invocation) int {
	if len(sub.Args) == 0 {
		return 0
	}
	inv := *sub
	return sh.runCommand(ctx, sh.complete(&inv), sub.Args, 0)
}

// with returns a copy of inv whose Args are argv.
func with(inv *Invocation, argv []string) *Invocation {
	c := *inv
	c.Args = argv
	c.LookPath = func(name string) (string, bool) { return inv.LookPath(name) }
	return &c
}

// runCommand runs argv as an external command: an executable file found in
// the sandbox (by path, or on PATH), or a command the shell provides. hops
// counts the #! interpreters on the way.
func (sh *cmdline) runCommand(ctx context.Context, env *Invocation, argv []string, hops int) int {
	if err := sh.checkLimits(); err != nil {
		return 2
	}
	if ctx.Err() != nil {
		return exitCanceled
	}
	name := argv[0]
	if strings.Contains(name, "/") {
		return sh.runPath(ctx, env, argv, hops)
	}
	if p, ok := sh.searchPath(env.Dir, env.searchPath(), name, true); ok {
		// As bash, a script found on PATH gets that path as $0.
		return sh.runFile(ctx, env, p, append([]string{p}, argv[1:]...), hops)
	}
	if cmd := sh.command(name); cmd != nil {
		return cmd(ctx, with(env, argv))
	}
	fmt.Fprintf(env.Stderr, "sh: %s: command not found\n", name)
	return 127
}

// runPath runs argv whose argv[0] is a path.
func (sh *cmdline) runPath(ctx context.Context, env *Invocation, argv []string, hops int) int {
	abs := absPath(env.Dir, argv[0])
	if _, err := sh.statPath(abs); err == nil {
		return sh.runFile(ctx, env, abs, argv, hops)
	}
	if cmd := sh.command(path.Base(abs)); cmd != nil && systemDirs[path.Dir(abs)] {
		return cmd(ctx, with(env, argv))
	}
	fmt.Fprintf(env.Stderr, "sh: %s: No such file or directory\n", argv[0])
	return 127
}

// runFile runs the sandbox file abs: by its #! line, or as a shell script
// when it has none (as bash does).
func (sh *cmdline) runFile(ctx context.Context, env *Invocation, abs string, argv []string, hops int) int {
	st, err := sh.statPath(abs)
	switch {
	case err != nil:
		fmt.Fprintf(env.Stderr, "sh: %s: %s\n", argv[0], ErrText(err))
		return 127
	case st.Mode.IsDir():
		fmt.Fprintf(env.Stderr, "sh: %s: Is a directory\n", argv[0])
		return 126
	case st.Mode.Perm()&0o111 == 0:
		fmt.Fprintf(env.Stderr, "sh: %s: Permission denied\n", argv[0])
		return 126
	}
	interpreter, arg, ok := sh.shebang(abs)
	if !ok {
		return sh.nestedShell(ctx, with(env, append([]string{"sh", argv[0]}, argv[1:]...)))
	}
	if hops >= maxInterpreters {
		fmt.Fprintf(env.Stderr, "sh: %s: %s: too many levels of #! interpreters\n", argv[0], interpreter)
		return 126
	}
	next := []string{interpreter}
	if arg != "" {
		next = append(next, arg)
	}
	next = append(append(next, argv[0]), argv[1:]...)
	return sh.runCommand(ctx, env, next, hops+1)
}

// shebang reads the #! line of the sandbox file abs: the interpreter and
// its one optional argument (the rest of the line, as Linux passes it).
func (sh *cmdline) shebang(abs string) (interpreter, arg string, ok bool) {
	name, err := sh.resolve(abs, true)
	if err != nil {
		return "", "", false
	}
	f, errno := sh.fs.OpenFile(name, experimentalsys.O_RDONLY, 0)
	if errno != 0 {
		return "", "", false
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(&sandboxFile{f: f}, head)
	line, _, _ := bytes.Cut(head[:n], []byte("\n"))
	rest, ok := bytes.CutPrefix(line, []byte("#!"))
	if !ok {
		return "", "", false
	}
	fields := strings.TrimSpace(strings.TrimSuffix(string(rest), "\r"))
	interpreter, arg, _ = strings.Cut(fields, " ")
	if interpreter == "" {
		return "", "", false
	}
	return interpreter, strings.TrimSpace(arg), true
}

// statPath stats the sandbox path abs, following links.
func (sh *cmdline) statPath(abs string) (st struct{ Mode fs.FileMode }, err error) {
	name, err := sh.resolve(abs, true)
	if err != nil {
		return st, err
	}
	s, errno := sh.fs.Stat(name)
	if errno != 0 {
		return st, errno
	}
	st.Mode = s.Mode
	return st, nil
}

// searchPath looks name up in the PATH directories of the sandbox and
// returns the path of the first regular file there (executable, when exe
// is set).
func (sh *cmdline) searchPath(dir, pathVar, name string, exe bool) (string, bool) {
	for _, elem := range strings.Split(pathVar, ":") {
		if elem == "" {
			elem = "."
		}
		p := absPath(dir, elem+"/"+name)
		st, err := sh.statPath(p)
		if err == nil && st.Mode.IsRegular() && (!exe || st.Mode.Perm()&0o111 != 0) {
			return p, true
		}
	}
	return "", false
}

// lookPath is where the shell finds name when it runs it as a command: a
// file in the sandbox, or /usr/bin/NAME for a command it provides.
func (sh *cmdline) lookPath(env *Invocation, name string) (string, bool) {
	if strings.Contains(name, "/") {
		abs := absPath(env.Dir, name)
		if st, err := sh.statPath(abs); err == nil && st.Mode.IsRegular() && st.Mode.Perm()&0o111 != 0 {
			return abs, true
		}
		return "", false
	}
	if p, ok := sh.searchPath(env.Dir, env.searchPath(), name, true); ok {
		return p, true
	}
	if sh.command(name) != nil {
		return "/usr/bin/" + name, true
	}
	return "", false
}

// command returns the command the shell provides under name, or nil.
func (sh *cmdline) command(name string) Command {
	switch {
	case name == "sh" || name == "bash" || name == "dash":
		return sh.nestedShell
	case name == "pip" || strings.HasPrefix(name, "pip3"):
		return noPip
	}
	return sh.cfg.Commands[name]
}

// noPip answers pip: the sandbox has no network to install from.
func noPip(_ context.Context, inv *Invocation) int {
	fmt.Fprintf(inv.Stderr, "%s: this sandbox has no network, so packages cannot be installed here; "+
		"pure-Python packages (a directory, .zip or .whl) are mounted when wasmbox starts, with "+
		"`wasmbox run|test|sh|serve --packages PATH`, and are then importable from /opt/wasmbox/packages\n", inv.Args[0])
	return 1
}
