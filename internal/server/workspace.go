package server

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/wasmbox/wasmbox/runtime"
)

// Workspace is the directory bridge file routes are confined to, and the
// default working directory of session execs, as in a Cloudflare sandbox.
const Workspace = "/workspace"

// The guest has no working directory the host can set, so each session
// holds a sitecustomize module that CPython's site import runs at start-up:
// it changes to the directory named by cwdEnv and then removes its own
// traces (the variables and its sys.path entry).
const (
	bootDir = "/.wasmbox"
	cwdEnv  = "WASMBOX_CWD"
)

var bootFile = path.Join(bootDir, "sitecustomize.py")

var bootSource = []byte(`# wasmbox: sets the working directory of a session exec.
import os as _os, sys as _sys
_cwd = _os.environ.pop("` + cwdEnv + `", None)
if _os.environ.get("PYTHONPATH") == "` + bootDir + `":
    del _os.environ["PYTHONPATH"]
if "` + bootDir + `" in _sys.path:
    _sys.path.remove("` + bootDir + `")
if _cwd:
    _os.chdir(_cwd)
del _os, _sys, _cwd
`)

// prepareWorkspace creates /workspace and the start-up module in a new
// session's sandbox.
func prepareWorkspace(sb *runtime.Sandbox) error {
	if err := sb.Mkdir(Workspace); err != nil {
		return err
	}
	return sb.WriteFile(bootFile, bootSource)
}

// resolveWorkspacePath resolves p as the bridge does: a relative path is
// taken under /workspace, "." and ".." are applied, and the result must be
// /workspace or below it; ok is false otherwise.
func resolveWorkspacePath(p string) (resolved string, ok bool) {
	if !strings.HasPrefix(p, "/") {
		p = Workspace + "/" + p
	}
	resolved = path.Clean(p)
	return resolved, resolved == Workspace || strings.HasPrefix(resolved, Workspace+"/")
}

// notRunnable is why a session exec's argv cannot run; it is reported as
// exit status 127 with the message on stderr, like a shell's "command not
// found".
type notRunnable struct{ msg string }

func (e *notRunnable) Error() string { return e.msg }

// shells are the argv[0] values accepted for `sh -c "python3 ..."`.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true}

func baseName(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

// pythonArgv turns a bridge argv into the interpreter's argv. It accepts
// ["python3", ARGS...] and ["sh", "-c" or "-lc", "python3 ARGS..."], the
// shell string split with POSIX quoting rules by runtime.SplitCommand; a
// relative script path is taken relative to cwd. Anything else is a
// *notRunnable error. An empty shell string gives a nil argv: nothing to
// run, exit 0.
func pythonArgv(argv []string, cwd string) ([]string, error) {
	if shells[baseName(argv[0])] {
		if len(argv) < 3 || (argv[1] != "-c" && argv[1] != "-lc") {
			return nil, &notRunnable{fmt.Sprintf("%s: only `%s -c \"python3 ...\"` is supported: this sandbox has no shell, only python3", argv[0], argv[0])}
		}
		words, err := runtime.SplitCommand(argv[2])
		if err != nil {
			return nil, &notRunnable{fmt.Sprintf("%s: %v (only a plain `python3 ARGS` command line runs here)", argv[0], err)}
		}
		if len(words) == 0 {
			return nil, nil
		}
		argv = words
	}
	if !runtime.IsPython(argv[0]) {
		return nil, &notRunnable{fmt.Sprintf("%s: command not found: only python3 runs in this sandbox", argv[0])}
	}
	out := append([]string{"python3"}, argv[1:]...)
	if i := scriptIndex(out); i > 0 && !strings.HasPrefix(out[i], "/") {
		out[i] = path.Join(cwd, out[i])
	}
	return out, nil
}

// scriptIndex returns the index of the script path in a python3 argv, or
// -1 when the program comes from -c, -m or stdin, or there is none. It
// follows the interpreter's option syntax: single-letter options may be
// combined (-uB), and -W, -X and --check-hash-based-pycs take a value.
func scriptIndex(argv []string) int {
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			if i+1 < len(argv) {
				return i + 1
			}
			return -1
		case a == "-":
			return -1
		case a == "--check-hash-based-pycs":
			i++
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-"):
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'c', 'm':
					return -1
				case 'W', 'X':
					if j == len(a)-1 {
						i++
					}
					j = len(a)
				}
			}
		default:
			return i
		}
	}
	return -1
}

// fileError turns a sandbox file error into an answer.
func fileError(op, p string, err error) *apiError {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errorf(404, CodeFileNotFound, "File not found: %s", p)
	case errors.Is(err, runtime.ErrNoSpace):
		return errorf(413, CodePayloadTooLarge, "%s failed: no space left in the sandbox filesystem for %s", op, p)
	case errors.Is(err, runtime.ErrDestroyed):
		return errorf(404, CodeSandboxNotFound, "the sandbox was deleted")
	}
	return badRequest("%s failed: %v", op, err)
}
