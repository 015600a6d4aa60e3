// Command wasmbox runs untrusted Python in a WebAssembly sandbox.
//
//	wasmbox run [flags] FILE [ARGS]    run a script
//	wasmbox run [flags] -c CODE        run code from the command line
//	wasmbox check [flags] FILE...      check scripts against a policy
//	wasmbox test [flags]               run an eval function against cases
//	wasmbox sh [flags] -c COMMAND      run a shell command line in a throwaway sandbox
//	wasmbox sh [flags] SCRIPT [ARGS]   run a shell script in a throwaway sandbox
//	wasmbox serve [flags]              serve the HTTP API (run, test, validate, sandbox sessions)
//	wasmbox mcp [flags]                serve MCP over stdio (run_python, check_python, test_eval)
//	wasmbox version                    print versions and checksums
//
// Run `wasmbox COMMAND --help` for a command's flags.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// Exit statuses of the CLI itself; the run and test commands add theirs.
const (
	exitOK    = 0
	exitUsage = 2
)

// command is one subcommand: its one-line summary and its body, which
// returns the process exit status.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// order is the order of commands in the usage text.
var order = []string{"run", "check", "test", "sh", "bench", "serve", "mcp", "version"}

func main() {
	if len(os.Args) > 1 && oneShot[os.Args[1]] && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(oneShotGCPercent)
	}
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// oneShot names the commands that load the interpreter, run once and exit.
// Loading allocates tens of megabytes (the compiled interpreter) that live
// until exit; at Go's default pace the collector spends about a fifth of
// such a process marking them again and again. These commands collect less
// often ($GOGC, when set, wins); serve and bench, which live on, do not.
var oneShot = map[string]bool{"run": true, "test": true, "sh": true}

// oneShotGCPercent is the GOGC of one-shot commands.
const oneShotGCPercent = 400

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "wasmbox: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "wasmbox runs untrusted Python (CPython 3.13, WASI) in a WebAssembly sandbox.\n\nUsage: wasmbox COMMAND [flags]\n\nCommands:")
	for _, name := range order {
		if c, ok := commands[name]; ok {
			fmt.Fprintf(w, "  %-8s %s\n", name, c.summary)
		}
	}
	fmt.Fprintln(w, "\nRun 'wasmbox COMMAND --help' for a command's flags.")
}

// newFlagSet returns a flag set that reports errors on stderr instead of
// exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s\n\nFlags:\n%s", synopsis, fs.FlagUsages())
	}
	return fs
}

// parseFlags parses args; done is true when the command should end now with
// status: help was asked for (printed on stdout), or a usage error was
// reported on the flag set's output.
func parseFlags(fs *pflag.FlagSet, args []string, stdout io.Writer) (status int, done bool) {
	errOut := fs.Output()
	fs.SetOutput(stdout) // pflag prints the help itself
	err := fs.Parse(args)
	fs.SetOutput(errOut)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return exitOK, true
	case err != nil:
		return usageError(errOut, fs.Name(), "%v", err), true
	}
	return 0, false
}

// usageError prints a usage error that names the problem and returns the
// usage exit status.
func usageError(stderr io.Writer, name string, format string, a ...any) int {
	fmt.Fprintf(stderr, "wasmbox %s: %s\nRun 'wasmbox %s --help' for usage.\n", name, fmt.Sprintf(format, a...), name)
	return exitUsage
}
