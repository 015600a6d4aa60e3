// Package guard builds the guest command line that runs user Python code
// under the in-guest guard (boot.py), which enforces a validate.Policy at
// run time: code that slips past the static check, such as
// __import__('o'+'s'), still cannot import a blocked module.
//
// The guard has two floors. The lower one is C, in the wasmbox reactor build
// (assets/build/wasmbox_guard.c and a patch of CPython's attribute lookup):
// a PEP 578 audit hook installed before the interpreter starts, which Python
// code can neither remove nor replace, and the built-in module _wasmbox.
// boot.py compiles the user's code through an AST transform that routes
// every attribute read through _wasmbox.getattr, marks the resulting code
// objects untrusted (a co_flags bit Python cannot clear), and arms the hook
// once, for good. From then on trust comes from those marks, read off the
// interpreter's own frame stack: marked code may not open files, compile or
// exec, build code or function objects, read frames, or import outside the
// allowlist; the standard library working for it may do its own work but
// not write files, read the standard library's mount, or reach os,
// subprocess or socket; code that exec/eval runs for it (typing's forward
// references) is marked in turn; and the attributes in
// validate.Policy.CoreAttributes are refused to marked code on every path,
// C lookups included (str.format fields, match class patterns,
// operator.attrgetter/methodcaller, getattr). File names and frames the
// guest could forge play no part in these decisions.
//
// The upper floor is Python, and it is what an interpreter without
// _wasmbox gets alone. boot.py runs as `python3 -c`, sets sys.argv and
// sys.path[0] as plain python would, compiles the user code under its real
// filename and runs it in a fresh __main__ module. Under an enabled policy
// it first:
//
//   - wraps builtins.__import__: an import whose importing frame is not
//     stdlib code (code compiled from under a stdlib prefix or frozen, and
//     running in a loaded module's namespace) must name an allowed
//     top-level module, be absolute, and not pull a disallowed module out
//     of an allowed one with "from m import x";
//   - puts a sys.meta_path finder first that applies the same rule to the
//     nearest non-importlib frame, as a second line;
//   - gives __main__ a trimmed copy of the builtins: the blocked builtins
//     are gone (eval is a NameError), except __import__, which the import
//     statement needs and which is the guarded wrapper; getattr (and the
//     transform's __wasmbox_ga__) is _wasmbox.getattr, which refuses the
//     policy's blocked attributes, __dict__ of modules and classes,
//     attributes of dangerous or private modules, and values that are such
//     modules, code objects, frames or the real builtins; setattr, delattr
//     and hasattr follow it;
//   - makes operator.attrgetter/methodcaller and string.Formatter.get_field
//     refuse blocked attribute paths.
//
// Uncaught exceptions print a traceback without boot.py's frames and exit
// 1; SystemExit behaves as in python.
package guard

import (
	_ "embed"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/wasmbox/wasmbox/validate"
)

// bootSource is the guest-side guard, run with python3 -c.
//
//go:embed boot.py
var bootSource string

// BootSource returns the guard's guest program, the code that Argv runs with
// python3 -c. Warm instances compile it ahead of their job.
func BootSource() string { return bootSource }

// DefaultStdlibPrefixes holds where wasmbox's default guest, the CPython
// 3.13 reactor build, keeps its standard library, and numpy's Python part
// beside it: zips of .pyc files on a read-only mount, whose code objects
// carry file names inside the zip. Code compiled from files under these
// prefixes may import anything; all other code is held to the policy.
var DefaultStdlibPrefixes = []string{"/usr/local/lib/python313.zip/", NumpyPrefix}

// NumpyPrefix is where numpy's Python part lives in the guest
// (assets/cpython313/numpy.zip). Under a policy that allows numpy, its code
// is trusted like the standard library's except that it may not open files
// for user code: numpy.load, loadtxt, genfromtxt, fromregex, DataSource and
// the savers are refused (see boot.py's refuse_library_files).
const NumpyPrefix = "/usr/local/lib/numpy.zip/"

// Config holds guard settings that do not come from the policy. The zero
// value suits the wasmbox guest.
type Config struct {
	// Bytecode, when set, is boot.py compiled by the guest interpreter and
	// serialised with marshal.dumps (what the CompileArgv program prints). The guest
	// then loads it instead of compiling boot.py, which is most of the
	// boot's cost. It must come from the same interpreter build.
	Bytecode []byte

	// StdlibPrefixes replaces DefaultStdlibPrefixes when non-empty; tests on
	// a native python3 pass its stdlib directory here. A file target under
	// one of them is the host's own program and runs unguarded.
	StdlibPrefixes []string

	// LibraryPrefixes are more directories of trusted library code, the
	// operator's packages (runtime.Packages): their code is judged as the
	// standard library's, so it may import what it needs and the user code
	// calling it stays held to the policy. Unlike StdlibPrefixes, a file
	// target under one of them still runs as user code.
	LibraryPrefixes []string
}

// bootConfig is what boot.py reads from argv[1], encoded by encode.
type bootConfig struct {
	Policy          string
	Allowed         []string
	BlockedModules  []string
	BlockedBuiltins []string
	BlockedAttrs    []string
	StdlibPrefixes  []string
	// NoFilePrefixes: code compiled from files under these prefixes may
	// not open files while user code is on the stack.
	NoFilePrefixes  []string
	LibraryPrefixes []string
}

// encode writes the config as lines KEY=ITEM\x1fITEM..., which boot.py
// parses with str methods alone (importing json would import re).
func (c bootConfig) encode() string {
	var b strings.Builder
	for _, f := range []struct {
		key   string
		items []string
	}{
		{"policy", []string{c.Policy}},
		{"allowed", c.Allowed},
		{"blockedModules", c.BlockedModules},
		{"blockedBuiltins", c.BlockedBuiltins},
		{"blockedAttrs", c.BlockedAttrs},
		{"stdlibPrefixes", c.StdlibPrefixes},
		{"noFilePrefixes", c.NoFilePrefixes},
		{"libraryPrefixes", c.LibraryPrefixes},
	} {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(f.key + "=" + strings.Join(f.items, "\x1f"))
	}
	return b.String()
}

// markCore returns the blocked attributes with a "!" after each one that is
// refused on every path, C lookups included (validate's CoreAttributes):
// boot.py passes those to the C guard.
func markCore(blocked, core []string) []string {
	out := make([]string, len(blocked))
	for i, name := range blocked {
		out[i] = name
		if slices.Contains(core, name) {
			out[i] += "!"
		}
	}
	return out
}

// Argv returns the full guest argv that runs target under the guard with
// the default Config.
// mode is "file" (target is a path in the guest FS, run as __main__ like
// `python3 FILE ARGS`), "code" (target is source, run like
// `python3 -c CODE ARGS`) or "context" (target is the source of a code
// context's cell runner, runtime/context.py: the host's program, which
// boot.py runs before it arms the guard and hands the compiler of the
// cells; see boot.py's run_context).
func Argv(p validate.Policy, mode, target string, args []string) []string {
	return Config{}.Argv(p, mode, target, args)
}

// Argv is like the package-level Argv, with c's settings. The result is
// ["python3", "-c", <boot.py>, <config>, mode, target, args...], the config
// in the KEY=ITEM lines of bootConfig.encode.
func (c Config) Argv(p validate.Policy, mode, target string, args []string) []string {
	prefixes := c.StdlibPrefixes
	if len(prefixes) == 0 {
		prefixes = DefaultStdlibPrefixes
	}
	var noFiles []string
	if p.Enabled() && slices.Contains(p.AllowedModules(), "numpy") {
		noFiles = []string{NumpyPrefix}
	}
	cfg := bootConfig{
		Policy:          p.Name(),
		Allowed:         p.AllowedModules(),
		BlockedModules:  p.BlockedModules(),
		BlockedBuiltins: p.BlockedBuiltins(),
		BlockedAttrs:    markCore(p.BlockedAttributes(), p.CoreAttributes()),
		StdlibPrefixes:  prefixes,
		NoFilePrefixes:  noFiles,
		LibraryPrefixes: c.LibraryPrefixes,
	}.encode()
	head := []string{"python3", "-c", bootSource}
	if c.Bytecode != nil {
		head = []string{"python3", "-c", bytecodeLoader, base64.StdEncoding.EncodeToString(c.Bytecode)}
	}
	return append(append(head, cfg, mode, target), args...)
}

// bytecodeLoader runs the boot from its marshalled code object, passed as
// the first argument in base64; the boot then sees the same sys.argv as
// when run from source. binascii and marshal are built into the
// interpreter: loading them imports nothing.
const bytecodeLoader = "import binascii, marshal, sys; exec(marshal.loads(binascii.a2b_base64(sys.argv.pop(1))))"

// CompileArgv is the guest argv of a program that prints, on stdout,
// boot.py's code object serialised with marshal.dumps: the Config.Bytecode
// of the interpreter that runs it.
func CompileArgv() []string {
	return []string{"python3", "-c", "import marshal, sys; sys.stdout.buffer.write(marshal.dumps(compile(sys.argv[1], '<string>', 'exec')))", bootSource}
}
