package shell

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// Some of the interpreter's builtins look at the host: command -v, type
// and source search PATH with the host's stat, and pwd -P resolves links
// on the host. call rewrites those before they run, so they answer from the
// sandbox. It also gives cd the -L, -P and -- options scripts use.

// Internal command names call rewrites to; the exec handler answers them.
// They hold a NUL byte, which no function or file name can.
const (
	lookupName = "\x00command-v"
	typeName   = "\x00type"
	cdFailName = "\x00cd-fail"
)

// sourceMark ends a path call gives to source: with it, the interpreter's
// own PATH search (which stats host files) fails without a system call, and
// the open handler removes it.
const sourceMark = "\x00"

// call is the interpreter's CallHandler: it runs before every simple
// command, builtins and functions included. A function of the name runs as
// it is (its own builtin calls come back here).
func (sh *cmdline) call(ctx context.Context, args []string) ([]string, error) {
	if err := sh.checkLimits(); err != nil {
		return nil, err
	}
	hc := interp.HandlerCtx(ctx)
	if runnerOf(hc).Funcs[args[0]] != nil {
		return args, nil
	}
	return sh.rewrite(hc, args), nil
}

// rewrite returns what runs for the builtin call args: args itself, the
// builtin with other arguments, another builtin (run through `builtin`, so
// no function of its name can take its place), or an internal command.
// `builtin NAME` and `command NAME` reach the builtin without the call
// handler, so they are rewritten here too.
func (sh *cmdline) rewrite(hc interp.HandlerContext, args []string) []string {
	switch args[0] {
	case "builtin", "command":
		if len(args) < 2 {
			return args
		}
		if args[0] == "command" && (args[1] == "-v" || args[1] == "-V") {
			return append([]string{lookupName, args[1]}, args[2:]...)
		}
		if !interp.IsBuiltin(args[1]) {
			return args // command NAME runs a program; builtin NAME fails
		}
		inner := sh.rewrite(hc, args[1:])
		if strings.HasPrefix(inner[0], "\x00") || inner[0] == "builtin" {
			return inner
		}
		return append([]string{"builtin"}, inner...)
	case "cd":
		return sh.cdArgs(hc, args)
	case "pwd":
		return sh.pwdArgs(hc, args)
	case "type":
		return append([]string{typeName}, args[1:]...)
	case "trap":
		return trapArgs(args)
	case "umask":
		return umaskArgs(args)
	case "source", ".":
		if len(args) > 1 {
			args[1] = sh.sourcePath(hc, args[1]) + sourceMark
		}
	}
	return args
}

// cdArgs turns `cd [-L|-P] [--] [DIR]` into the interpreter's `cd [DIR]`;
// with -P, DIR has its links resolved. A DIR that is not a directory fails
// with bash's message.
func (sh *cmdline) cdArgs(hc interp.HandlerContext, args []string) []string {
	physical := false
	rest := args[1:]
	for len(rest) > 0 && len(rest[0]) > 1 && rest[0][0] == '-' {
		opt := rest[0]
		rest = rest[1:]
		if opt == "--" {
			break
		}
		for _, c := range opt[1:] {
			switch c {
			case 'P':
				physical = true
			case 'L':
				physical = false
			}
		}
	}
	if len(rest) == 1 && rest[0] != "-" && rest[0] != "" {
		abs := absPath(hc.Dir, rest[0])
		st, err := sh.statPath(abs)
		switch {
		case err != nil:
			return []string{cdFailName, rest[0], ErrText(err)}
		case !st.Mode.IsDir():
			return []string{cdFailName, rest[0], "Not a directory"}
		}
		if physical {
			if real, err := sh.realpath(abs, true); err == nil {
				rest = []string{real}
			}
		}
	}
	return append([]string{"cd"}, rest...)
}

// trapArgs keeps the conditions of `trap ACTION CONDITION...` that the
// interpreter knows, EXIT (or 0) and ERR, and drops signals: nothing sends
// signals to a shell that runs in the host process (a command line ends by
// its context), so `trap cleanup EXIT INT TERM` runs cleanup at exit, as
// scripts expect. A reset (`trap - COND...`) is given as the empty action,
// which the interpreter reads right with several conditions.
func trapArgs(args []string) []string {
	rest := args[1:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if len(rest) < 2 || (strings.HasPrefix(rest[0], "-") && rest[0] != "-") {
		return args // listing, one condition to reset, or an option
	}
	action := rest[0]
	if action == "-" {
		action = ""
	}
	out := []string{"trap", action}
	for _, cond := range rest[1:] {
		switch strings.TrimPrefix(strings.ToUpper(cond), "SIG") {
		case "EXIT", "0":
			out = append(out, "EXIT")
		case "ERR":
			out = append(out, "ERR")
		}
	}
	if len(out) == 2 {
		return []string{"builtin", ":"}
	}
	return out
}

// umaskArgs answers umask, which the interpreter lacks: the mask reads as
// 0022, and setting one is accepted and changes nothing (the sandbox
// filesystem keeps the modes files are created with).
func umaskArgs(args []string) []string {
	switch {
	case len(args) == 1:
		return []string{"builtin", "printf", "%s\n", "0022"}
	case len(args) == 2 && args[1] == "-S":
		return []string{"builtin", "printf", "%s\n", "u=rwx,g=rx,o=rx"}
	}
	return []string{"builtin", ":"}
}

// pwdArgs turns `pwd -P` into printing the working directory with its
// links resolved in the sandbox.
func (sh *cmdline) pwdArgs(hc interp.HandlerContext, args []string) []string {
	physical := false
	for _, a := range args[1:] {
		switch a {
		case "-P":
			physical = true
		case "-L":
			physical = false
		}
	}
	if !physical {
		return []string{"pwd"}
	}
	dir := hc.Env.Get("PWD").String()
	if !strings.HasPrefix(dir, "/") {
		dir = hc.Dir
	}
	real, err := sh.realpath(dir, true)
	if err != nil {
		real = hc.Dir
	}
	return []string{"builtin", "printf", "%s\n", real}
}

// sourcePath finds the file `source NAME` reads: NAME itself when it has a
// slash, else the first file named NAME on PATH, else NAME in the working
// directory (as bash does).
func (sh *cmdline) sourcePath(hc interp.HandlerContext, name string) string {
	if !strings.Contains(name, "/") {
		if p, ok := sh.searchPath(hc.Dir, hc.Env.Get("PATH").String(), name, false); ok {
			return p
		}
	}
	return absPath(hc.Dir, name)
}

// runnerOf returns the interpreter behind hc. The exec handler reads its
// functions and aliases (for command -v and type), which the interpreter
// keeps to itself; it runs on the interpreter's goroutine, so reading them
// is safe.
func runnerOf(hc interp.HandlerContext) *interp.Runner {
	return (*interp.Runner)(reflect.ValueOf(hc).FieldByName("runner").UnsafePointer())
}

// kind says what name is to the shell at hc: "keyword", "function",
// "builtin", "file" (with its path) or "" when it is nothing.
func (sh *cmdline) kind(hc interp.HandlerContext, env *Invocation, name string) (kind, where string) {
	switch {
	case syntax.IsKeyword(name):
		return "keyword", ""
	case runnerOf(hc).Funcs[name] != nil:
		return "function", ""
	case interp.IsBuiltin(name):
		return "builtin", ""
	}
	if p, ok := sh.lookPath(env, name); ok {
		return "file", p
	}
	return "", ""
}

// commandV is `command -v NAME...` (verbose: -V).
func (sh *cmdline) commandV(hc interp.HandlerContext, env *Invocation, verbose bool, names []string) int {
	status := 0
	for _, name := range names {
		kind, where := sh.kind(hc, env, name)
		switch {
		case kind == "":
			status = 1
			if verbose {
				fmt.Fprintf(env.Stderr, "sh: command: %s: not found\n", name)
			}
		case verbose:
			fmt.Fprintln(env.Stdout, describe(name, kind, where))
		case kind == "file":
			fmt.Fprintln(env.Stdout, where)
		default:
			fmt.Fprintln(env.Stdout, name)
		}
	}
	return status
}

// typeBuiltin is `type [-t|-p|-P] NAME...`.
func (sh *cmdline) typeBuiltin(hc interp.HandlerContext, env *Invocation, args []string) int {
	mode := ""
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		switch args[0] {
		case "--":
		case "-t", "-p", "-P":
			mode = args[0]
		default:
			fmt.Fprintf(env.Stderr, "sh: type: %s: invalid option\n", args[0])
			return 2
		}
		args = args[1:]
		if mode == "" {
			break
		}
	}
	status := 0
	for _, name := range args {
		kind, where := sh.kind(hc, env, name)
		switch {
		case kind == "":
			status = 1
			if mode == "" {
				fmt.Fprintf(env.Stderr, "sh: type: %s: not found\n", name)
			}
		case mode == "-t":
			fmt.Fprintln(env.Stdout, kind)
		case mode == "-p" || mode == "-P":
			if kind == "file" {
				fmt.Fprintln(env.Stdout, where)
			}
		default:
			fmt.Fprintln(env.Stdout, describe(name, kind, where))
		}
	}
	return status
}

// describe is type's sentence for name.
func describe(name, kind, where string) string {
	switch kind {
	case "keyword":
		return name + " is a shell keyword"
	case "function":
		return name + " is a function"
	case "builtin":
		return name + " is a shell builtin"
	}
	return name + " is " + where
}
