package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"syscall"

	"github.com/wasmbox/wasmbox/runtime"
)

func init() {
	commands["sh"] = command{"run a shell command line or script in a throwaway sandbox", shCmd}
}

// shWorkspace is the working directory of `wasmbox sh`, where --copy-in
// puts files and --copy-out takes them from.
const shWorkspace = "/workspace"

func shCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("sh", "wasmbox sh [flags] -c COMMAND [NAME [ARGS]]\n       wasmbox sh [flags] SCRIPT [ARGS]", stderr)
	var lim limitFlags
	lim.registerLimits(fs, "wall-clock limit of the whole command line (Go duration: 5s, 500ms, 1m)")
	command := fs.StringP("command", "c", "", "the command line, as a string (instead of SCRIPT)")
	copyIn := fs.String("copy-in", "", "host directory copied to "+shWorkspace+" before the command runs")
	copyOut := fs.String("copy-out", "", "host directory "+shWorkspace+" is copied back to after the command ran")
	stdinPath := fs.String("stdin", "", "file fed to the command's standard input (- = this process's stdin; default empty)")
	maxOutput := fs.String("max-output", "1MiB", "cap on each of stdout and stderr; the rest is dropped and flagged")
	asJSON := fs.Bool("json", false, "print one ExecResult JSON object instead of passing the streams through")
	if status, done := parseFlags(fs, args, stdout); done {
		return status
	}

	// The script: -c COMMAND [NAME [ARGS]] as sh takes them, or SCRIPT [ARGS]
	// read from the host ($0 is SCRIPT).
	var argv []string
	if fs.Changed("command") {
		argv = append([]string{"sh", "-c", *command}, fs.Args()...)
	} else {
		if fs.NArg() == 0 {
			return usageError(stderr, "sh", "no command line: give -c COMMAND or SCRIPT")
		}
		src, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return usageError(stderr, "sh", "cannot read the script: %v", err)
		}
		argv = append([]string{"sh", "-c", string(src)}, fs.Args()...)
	}
	cfg, err := lim.limits()
	if err != nil {
		return usageError(stderr, "sh", "%v", err)
	}
	maxOut, err := parseSize(*maxOutput)
	if err != nil {
		return usageError(stderr, "sh", "--max-output: %v", err)
	}
	cfg.MaxOutput = int64(maxOut)
	if *copyIn != "" {
		if info, err := os.Stat(*copyIn); err != nil || !info.IsDir() {
			return usageError(stderr, "sh", "--copy-in %s is not a directory", *copyIn)
		}
	}
	stdin, closeStdin, err := openStdin(*stdinPath)
	if err != nil {
		return usageError(stderr, "sh", "--stdin: %v", err)
	}
	defer closeStdin()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	engine, err := runtime.NewEngine(ctx, runtime.EngineConfig{})
	if err != nil {
		fmt.Fprintf(stderr, "wasmbox sh: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	defer engine.Close(ctx)
	sb, err := engine.NewSandbox(cfg)
	if err != nil {
		return usageError(stderr, "sh", "%v", err)
	}
	defer sb.Destroy()
	if err := sb.Mkdir(shWorkspace); err != nil {
		fmt.Fprintf(stderr, "wasmbox sh: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	if *copyIn != "" {
		if err := copyToSandbox(sb, *copyIn, shWorkspace, stderr); err != nil {
			fmt.Fprintf(stderr, "wasmbox sh: --copy-in: %v\n", err)
			return runtime.ExitSandboxFailure
		}
	}

	opts := runtime.ExecOptions{Stdin: stdin, Dir: shWorkspace}
	if !*asJSON {
		opts.Stdout, opts.Stderr = stdout, stderr
	}
	res, err := sb.ExecArgv(ctx, argv, opts)
	if res == nil {
		fmt.Fprintf(stderr, "wasmbox sh: %v\n", err)
		return runtime.ExitSandboxFailure
	}
	if *copyOut != "" {
		if err := copyFromSandbox(sb, shWorkspace, *copyOut, stderr); err != nil {
			fmt.Fprintf(stderr, "wasmbox sh: --copy-out: %v\n", err)
			return runtime.ExitSandboxFailure
		}
	}
	if *asJSON {
		if err := json.NewEncoder(stdout).Encode(res); err != nil {
			fmt.Fprintf(stderr, "wasmbox sh: %v\n", err)
			return runtime.ExitSandboxFailure
		}
	} else {
		reportOutcome(stderr, "sh", res, cfg)
	}
	return res.ExitCode
}

// openStdin opens what --stdin names: nothing, this process's stdin (-) or
// a file.
func openStdin(name string) (io.Reader, func(), error) {
	switch name {
	case "":
		return nil, func() {}, nil
	case "-":
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

// copyToSandbox copies the host directory src into the sandbox directory
// dst: directories, and regular files with their permission bits. Links
// and special files are skipped with a note on stderr: a link could point
// anywhere on the host.
func copyToSandbox(sb *runtime.Sandbox, src, dst string, stderr io.Writer) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := path.Join(dst, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := sb.Mkdir(target); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if err := sb.WriteFile(target, data); err != nil {
				return err
			}
		default:
			fmt.Fprintf(stderr, "wasmbox sh: --copy-in: skipped %s: not a regular file or directory\n", p)
			return nil
		}
		return sb.Chmod(target, info.Mode().Perm())
	})
}

// copyFromSandbox copies the sandbox directory src to the host directory
// dst, creating it: directories, and regular files with their permission
// bits (links are skipped with a note). Existing host files are replaced.
func copyFromSandbox(sb *runtime.Sandbox, src, dst string, stderr io.Writer) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	entries, err := sb.ListFiles(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !filepath.IsLocal(e.Name) {
			return fmt.Errorf("refusing the sandbox name %q", e.Name)
		}
		target := filepath.Join(dst, e.Name)
		switch {
		case e.IsDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			if err := copyFromSandbox(sb, e.Path, target, stderr); err != nil {
				return err
			}
			if err := os.Chmod(target, e.Mode.Perm()); err != nil {
				return err
			}
		case e.Mode.IsRegular():
			data, err := sb.ReadFile(e.Path)
			if err != nil {
				return err
			}
			if err := writeHostFile(target, data, e.Mode.Perm()); err != nil {
				return err
			}
		default:
			fmt.Fprintf(stderr, "wasmbox sh: --copy-out: skipped %s: not a regular file or directory\n", e.Path)
		}
	}
	return nil
}

// writeHostFile writes data to the host file p with mode perm, replacing
// the file (never writing through a link that stands at p).
func writeHostFile(p string, data []byte, perm fs.FileMode) error {
	if info, err := os.Lstat(p); err == nil && !info.Mode().IsRegular() {
		if err := os.Remove(p); err != nil {
			return err
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.WriteFile(p, data, perm); err != nil {
		return err
	}
	return os.Chmod(p, perm)
}
