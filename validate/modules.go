package validate

// strictModules is the seed-compatible allowlist of the strict policy.
var strictModules = []string{"json", "re", "typing"}

// stdlibModules is the reviewed allowlist of the stdlib policy: pure,
// side-effect-free standard-library modules. None of them can open files,
// sockets or processes, load code, or hand out frames, code objects or the
// builtins module through their public API. Several keep private references
// to modules such as sys or builtins (dataclasses.sys, enum.bltns,
// collections._sys); Check rejects those attribute names (moduleAttrs), and
// the in-guest guard rejects them when reached through getattr.
var stdlibModules = []string{
	"json",        // parse and emit JSON text in memory
	"re",          // regular expressions; pure computation on strings
	"typing",      // annotations and generic aliases; no I/O
	"math",        // C math functions on numbers
	"cmath",       // complex-number math functions
	"collections", // container types (deque, Counter, OrderedDict, …)
	"itertools",   // lazy iterator combinators
	"functools",   // reduce, partial, lru_cache, … on user callables
	"dataclasses", // class decorator; generates methods with exec on its own templates only
	"datetime",    // date/time arithmetic; reads the clock at most
	"_strptime",   // datetime/time.strptime's implementation, imported lazily from C
	"time",        // clock reads and sleep; no file or process access
	"calendar",    // calendar arithmetic and text calendars in memory
	"decimal",     // decimal arithmetic
	"fractions",   // rational arithmetic
	"numbers",     // numeric abstract base classes
	"statistics",  // mean, median, stdev, … over user data
	"random",      // pseudo-random numbers; seeding from urandom is harmless
	"string",      // string constants and Template/Formatter (Formatter field strings are checked)
	"difflib",     // sequence diffing in memory
	"enum",        // Enum/Flag base classes
	"heapq",       // heap operations on lists
	"bisect",      // binary search on sorted lists
	"array",       // typed arrays in memory
	"textwrap",    // text wrapping and dedenting
	"unicodedata", // Unicode character database lookups
	"operator",    // function forms of operators (attrgetter strings are checked)
	"copy",        // shallow and deep copies via the copy protocol
	"abc",         // abstract base classes
	"contextlib",  // context-manager helpers around user code (chdir stays inside the sandbox FS)
	"base64",      // base16/32/64/85 encoding of bytes in memory
	"binascii",    // binary/ASCII conversions in memory
	"struct",      // packing and unpacking of bytes
	"hashlib",     // message digests of bytes in memory
	"pprint",      // pretty-printing to stdout or a string
	"reprlib",     // size-limited repr
	"graphlib",    // topological sorting
	"keyword",     // the list of Python keywords
	// numpy arrays in memory (the numpy interpreter, chosen when the code
	// imports numpy); its file functions (load, save, loadtxt, genfromtxt,
	// fromfile, tofile, DataSource, ...) are refused by the guard, memmap
	// and ctypeslib have no mmap or ctypes to work with.
	"numpy",
}

// dangerousModules are modules whose import is reported as blocked-import
// rather than import-not-allowed. Each gives access to the host side of the
// sandbox (files, processes, network, signals), to the interpreter's
// internals (frames, code objects, the import system, the garbage
// collector's object graph), or to deserialisation that runs code.
var dangerousModules = []string{
	"os", "posix", "nt", "posixpath", "ntpath", // files, processes, environment
	"sys",                                                                          // sys.modules, frames, the import machinery
	"subprocess", "_posixsubprocess", "pty", "tty", "termios", "fcntl", "resource", // processes and terminals
	"socket", "ssl", "select", "selectors", "asyncio", // network and event loops
	"http", "urllib", "ftplib", "smtplib", "telnetlib", "webbrowser", "xmlrpc", // network clients
	"ctypes", "_ctypes", "cffi", "mmap", // raw memory and foreign calls
	"importlib", "imp", "zipimport", "pkgutil", "runpy", // loading code by name
	"builtins", "__builtin__", "__main__", // the real builtins and the main namespace
	"shutil", "pathlib", "glob", "tempfile", "fileinput", "zipfile", "tarfile", "sqlite3", "dbm", "shelve", "logging", "linecache", "tokenize", // files
	"io", "_io", "codecs", // file objects (io.open is open)
	"signal", "threading", "_thread", "multiprocessing", "concurrent", "atexit", "faulthandler", // process state
	"pickle", "_pickle", "marshal", "copyreg", // deserialisation that runs code or builds code objects
	"gc", "inspect", "traceback", "types", "tracemalloc", "weakref", "sysconfig", "site", "platform", // interpreter internals
	"code", "codeop", "pdb", "bdb", "trace", "dis", "ast", // compiling and running code
}
