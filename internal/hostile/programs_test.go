package hostile

// program is one hostile program of the suite: Python run with the policy
// "none" (no static check, no import guard), so that only the isolation
// layers (wasm, WASI capabilities, the in-memory filesystem) stand between it
// and the host. Each program prints how its attempts ended; outcomes holds
// the precise outcome expected, and anything else fails the suite.
type program struct {
	group, name string
	code        string
}

// outcome is what a program must do: its exit status, its whole standard
// output and, when it dies of an uncaught exception, the last line of its
// standard error.
type outcome struct {
	exit           int
	stdout, stderr string
}

// prelude is put before every program: try runs fn and prints how it ended,
// as "ok VALUE" or "TYPE ERRNO".
const prelude = `import os, sys
def try_(fn):
    try:
        r = fn()
    except BaseException as e:
        print(type(e).__name__, getattr(e, "errno", None))
    else:
        print("ok", r)
`

var programs = []program{
	// Host file reads and path traversal: the guest's "/" is its own
	// in-memory tree; nothing of the host's filesystem is mounted.
	{group: "files", name: "etc-passwd", code: `try_(lambda: open("/etc/passwd").read())`},
	{group: "files", name: "proc-self-environ", code: `try_(lambda: open("/proc/self/environ", "rb").read())`},
	{group: "files", name: "proc-self-mem", code: `try_(lambda: open("/proc/self/mem", "rb").read(1))`},
	{group: "files", name: "relative-traversal", code: `try_(lambda: open("../../../../../../etc/hostname").read())`},
	{group: "files", name: "absolute-traversal", code: `try_(lambda: open("/tmp/../../../etc/passwd").read())`},
	{group: "files", name: "root-listing", code: `try_(lambda: sorted(os.listdir("/")))`},
	{group: "files", name: "dotdot-listing", code: `try_(lambda: sorted(os.listdir("/tmp/../../../..")))`},
	{group: "files", name: "host-repo-file", code: `try_(lambda: os.path.exists("/work/main/go.mod") or os.path.exists("/root") or os.path.exists("/home"))`},
	{group: "files", name: "stat-root-home", code: `try_(lambda: os.stat("/root"))`},
	{group: "files", name: "symlink-out", code: `os.symlink("/etc/passwd", "/tmp/link")
try_(lambda: open("/tmp/link").read())`},
	{group: "files", name: "symlink-dotdot-out", code: `os.symlink("../../../../../etc/passwd", "/tmp/up")
try_(lambda: (os.path.realpath("/tmp/up"), open("/tmp/up").read()))`},
	{group: "files", name: "hardlink", code: `open("/tmp/a", "w").close()
try_(lambda: (os.link("/tmp/a", "/tmp/b"), os.stat("/tmp/b").st_nlink))`},
	{group: "files", name: "nul-in-path", code: `try_(lambda: open("/tmp/x\x00/../../etc/passwd").read())`},
	{group: "files", name: "dev-null", code: `try_(lambda: open("/dev/null", "rb").read())`},
	{group: "files", name: "chdir-up", code: `os.chdir("/tmp"); os.chdir(".."); os.chdir("..")
try_(lambda: (os.getcwd(), sorted(os.listdir("."))))`},

	// Environment and argv: nothing of the host's environment, argv or
	// identity reaches the guest.
	{group: "env", name: "environ-empty", code: `try_(lambda: dict(os.environ))`},
	{group: "env", name: "argv-fixed", code: `try_(lambda: sys.argv)`},
	{group: "env", name: "getenv-home-path", code: `try_(lambda: (os.getenv("HOME"), os.getenv("PATH"), os.getenv("WASMBOX_HOSTILE_SECRET")))`},
	{group: "env", name: "no-host-paths-in-sys", code: `s = repr((sys.path, sys.executable, sys.prefix, sys.exec_prefix, sys.orig_argv, os.getcwd()))
try_(lambda: [w for w in ("/work", "/root", "/home", "/go/") if w in s])`},
	{group: "env", name: "uname", code: `try_(lambda: os.uname())`},
	{group: "env", name: "ids", code: `try_(lambda: (os.getpid(), os.getuid()))`},
	{group: "env", name: "platform-node", code: `import platform
try_(lambda: platform.node())`},

	// Sockets and DNS: WASI preview 1 as wazero offers it has no way to
	// open a socket or resolve a name.
	{group: "net", name: "socket-create", code: `import socket
try_(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))`},
	{group: "net", name: "create-connection", code: `import socket
try_(lambda: socket.create_connection(("127.0.0.1", 8080), timeout=1))`},
	{group: "net", name: "getaddrinfo", code: `import socket
try_(lambda: socket.getaddrinfo("localhost", 80))`},
	{group: "net", name: "gethostbyname", code: `import socket
try_(lambda: socket.gethostbyname("example.com"))`},
	{group: "net", name: "urlopen", code: `import urllib.request
try_(lambda: urllib.request.urlopen("http://127.0.0.1:1/", timeout=1))`},
	{group: "net", name: "ssl", code: `try_(lambda: __import__("ssl"))`},
	{group: "net", name: "socket-fromfd", code: `import socket
try_(lambda: socket.socket(fileno=3))`},

	// Process spawning: there is no process to spawn.
	{group: "proc", name: "os-system", code: `try_(lambda: os.system("id"))`},
	{group: "proc", name: "subprocess-run", code: `import subprocess
try_(lambda: subprocess.run(["id"]))`},
	{group: "proc", name: "fork", code: `try_(lambda: os.fork())`},
	{group: "proc", name: "execv", code: `try_(lambda: os.execv("/bin/sh", ["sh"]))`},
	{group: "proc", name: "posix-spawn", code: `try_(lambda: os.posix_spawn("/bin/sh", ["sh"], {}))`},
	{group: "proc", name: "kill", code: `try_(lambda: os.kill(1, 9))`},
	{group: "proc", name: "popen", code: `try_(lambda: os.popen("id").read())`},
	{group: "proc", name: "multiprocessing", code: `import multiprocessing
try_(lambda: multiprocessing.Process(target=print).start())`},
	{group: "proc", name: "threading", code: `import threading
try_(lambda: threading.Thread(target=print).start())`},

	// Native-code modules: the interpreter is one wasm module; nothing can
	// load machine code into it.
	{group: "native", name: "ctypes", code: `try_(lambda: __import__("ctypes"))`},
	{group: "native", name: "_ctypes", code: `try_(lambda: __import__("_ctypes"))`},
	{group: "native", name: "cffi", code: `try_(lambda: __import__("cffi"))`},
	{group: "native", name: "mmap", code: `try_(lambda: __import__("mmap"))`},
	{group: "native", name: "extension-module", code: `import importlib.machinery, importlib.util
open("/tmp/evil.so", "wb").write(b"\x7fELF" + b"\0" * 60)
try_(lambda: importlib.machinery.EXTENSION_SUFFIXES)
def load():
    loader = importlib.machinery.ExtensionFileLoader("evil", "/tmp/evil.so")
    spec = importlib.util.spec_from_file_location("evil", "/tmp/evil.so", loader=loader)
    return importlib.util.module_from_spec(spec)
try_(load)`},
	{group: "native", name: "dlopen", code: `try_(lambda: sys.getdlopenflags())`},

	// Writes that must not reach the host: they land in the sandbox's
	// memory (the test checks the host's side too).
	{group: "writes", name: "write-tmp", code: `try_(lambda: open("/tmp/wasmbox-hostile-canary", "w").write("escaped"))`},
	{group: "writes", name: "write-traversal", code: `try_(lambda: open("/tmp/../../../tmp/wasmbox-hostile-canary2", "w").write("escaped"))`},
	{group: "writes", name: "write-etc", code: `try_(lambda: open("/etc/wasmbox-hostile-canary", "w").write("escaped"))
os.makedirs("/etc", exist_ok=True)
try_(lambda: open("/etc/wasmbox-hostile-canary", "w").write("escaped"))`},
	{group: "writes", name: "write-stdlib-zip", code: `try_(lambda: open("/usr/local/lib/python313.zip", "ab", buffering=0).write(b"x"))`},
	{group: "writes", name: "write-stdlib-dir", code: `try_(lambda: open("/usr/local/lib/python3.13/os.py", "wb", buffering=0).write(b"x"))`},
	{group: "writes", name: "rename-root", code: `try_(lambda: os.rename("/", "/tmp/root"))`},
	{group: "writes", name: "rmdir-root", code: `try_(lambda: os.rmdir("/"))`},

	// File-descriptor probing: only stdio and the one preopened directory.
	{group: "fds", name: "fd-scan", code: `def scan():
    found = []
    for fd in range(256):
        try:
            os.fstat(fd)
            found.append(fd)
        except OSError:
            pass
    return found
try_(scan)`},
	{group: "fds", name: "read-preopen", code: `try_(lambda: os.read(3, 10))`},
	{group: "fds", name: "write-bad-fd", code: `try_(lambda: os.write(100, b"x"))`},
	{group: "fds", name: "dup2", code: `try_(lambda: os.dup2(1, 50))`},
	{group: "fds", name: "close-stdio", code: `os.close(0)
try_(lambda: os.fstat(0))`},
	{group: "fds", name: "listdir-fd", code: `try_(lambda: sorted(os.listdir(3)))`},

	// Clocks and randomness: real time, a monotonic clock, and the host's
	// cryptographic randomness; no way to read the host's state through them.
	{group: "clock", name: "urandom-differs", code: `try_(lambda: os.urandom(16) != os.urandom(16) and len(os.urandom(1 << 16)))`},
	{group: "clock", name: "monotonic", code: `import time
def mono():
    a = time.monotonic(); time.sleep(0.05); b = time.monotonic()
    return 0.04 < b - a < 30
try_(mono)`},
	{group: "clock", name: "wall-clock-sane", code: `import time
try_(lambda: 1.7e9 < time.time() < 4e9)`},
	{group: "clock", name: "sleep-negative", code: `import time
try_(lambda: time.sleep(-1))`},
	{group: "clock", name: "sleep-huge", code: `import time
try_(lambda: time.sleep(1e300))`},
	{group: "clock", name: "random-seeded", code: `import random
try_(lambda: random.random() != random.random())`},

	// Interpreter-internals walks: the classic escapes through object
	// graphs still reach only what the guest has.
	{group: "internals", name: "subclasses-wrap-close", code: `def walk():
    for c in ().__class__.__base__.__subclasses__():
        if c.__name__ == "_wrap_close":
            return c.__init__.__globals__["system"]("id")
    return "none"
try_(walk)`},
	{group: "internals", name: "subclasses-popen", code: `import subprocess
def walk():
    for c in object.__subclasses__():
        for s in [c] + c.__subclasses__():
            if s.__name__ == "Popen":
                return s(["id"])
    return "none"
try_(walk)`},
	{group: "internals", name: "gc-host-strings", code: `import gc
# Built at run time, so that the needles are not constants in gc's view.
needles = ["".join(map(chr, c)) for c in ([47, 119, 111, 114, 107, 47], [47, 114, 111, 111, 116], [87, 65, 83, 77, 66, 79, 88, 95, 72])]
skip = {id(n) for n in needles}
def hunt():
    # Everything reachable from what gc tracks: containers of atoms only
    # (os.environ's dict of bytes) are untracked, but referenced.
    hits, seen, todo = 0, {}, gc.get_objects()
    while todo:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen[id(o)] = o  # held, so that ids are not reused
        if type(o) in (str, bytes):
            x = o.decode("latin-1") if type(o) is bytes else o
            if id(o) not in skip and any(n in x for n in needles):
                hits += 1
            continue
        todo.extend(gc.get_referents(o))
    return hits
try_(hunt)`},
	{group: "internals", name: "frame-walk", code: `def frames():
    f, names = sys._getframe(), []
    while f:
        names.append(f.f_code.co_filename)
        f = f.f_back
    return [n for n in names if n.startswith(("/work", "/root", "/home"))]
try_(frames)`},
	{group: "internals", name: "forged-bytecode", code: `import types
def f(): pass
bad = f.__code__.replace(co_code=bytes([100, 255, 83, 0] * 4), co_consts=())
f.__code__ = bad
f()`},
	{group: "internals", name: "builtins-open-restored", code: `import builtins, io
try_(lambda: builtins.open is io.open)`},
}
