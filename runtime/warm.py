# wasmbox warm instance: start the interpreter and import what jobs use
# before there is a job, then wait for one on stdin.
#
# Run as `python3 -c <this file> <guard boot source> [snapshot]`. The boot
# source is compiled here, ahead of the job: compiling it is most of a job's
# start-up. With "snapshot" (a reactor build's wasmbox_init), this only
# defines __wasmbox_run__: the host snapshots the interpreter then, and each
# instance restored from the snapshot calls it to wait for its job.
# The host writes one JSON line to stdin:
#   {"argv": ["-c", CODE, ARG...], "env": {NAME: VALUE}}
# and this program then becomes `python3 -c CODE ARG...` with that
# environment, in a clean __main__. End of file before the line (the pool is
# shutting down) exits 0. Each instance serves exactly one job. A job with
# "stay" set (a code context: see context.py) returns once CODE has run,
# leaving the interpreter alive for the host's later wasmbox_run calls.
import sys

# Nothing from the job's filesystem may be cached while warming: take the
# current directory off sys.path until the job runs. (A reactor's init
# entry does not put it there.)
if sys.path and sys.path[0] == "":
    del sys.path[0]

import atexit, builtins, gc, io, json, math, operator, os, re, string, time, traceback, types, typing  # noqa: E401,F401
import unicodedata  # noqa: F401  (traceback imports it lazily)
import _ast  # noqa: F401  (the guard's AST transform)

_wasmbox_boot_source = sys.argv[1]
_wasmbox_boot_code = compile(_wasmbox_boot_source, "<string>", "exec")


def _wasmbox_job():
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1 << 16)
        if not chunk:
            os._exit(0)
        line += chunk
    return json.loads(line)


# The functions below run after the job's code, which may have replaced
# builtins (len, __import__) that importing needs: they import nothing and
# use the modules bound here.
def _wasmbox_exit_status(e, sys=sys):
    # What the interpreter does with an uncaught SystemExit.
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xFF
    try:
        print(e.code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _wasmbox_uncaught(e, sys=sys):
    # What the interpreter does with an uncaught exception, the traceback
    # starting at the job's code: _wasmbox_start's frame, where it was
    # caught, is left out, so it reads as a native python3's.
    tb = e.__traceback__
    e.__traceback__ = tb = tb.tb_next if tb is not None else None
    try:
        sys.excepthook(type(e), e, tb)
    except BaseException:
        sys.__excepthook__(type(e), e, tb)
    return 1


def _wasmbox_finish(status, atexit=atexit, gc=gc, os=os, sys=sys):
    # The instance is thrown away after its one job, so tearing the
    # interpreter down (most of a short job's time) is skipped. What a
    # program can observe of the teardown still happens: atexit handlers
    # run, and files it left open are flushed when its namespace goes.
    atexit._run_exitfuncs()
    sys.modules["__main__"].__dict__.clear()
    gc.collect()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)


def _wasmbox_start():
    job = _wasmbox_job()
    if "random" in sys.modules:
        # A snapshot's copies would all share one random state.
        sys.modules["random"].seed()
    os.environ.clear()
    os.environ.update(job["env"])
    argv = job["argv"]
    if len(argv) < 2 or argv[0] != "-c":
        raise SystemExit("wasmbox warm instance: a job must be -c CODE [ARGS]")
    if argv[1] == _wasmbox_boot_source:
        code = _wasmbox_boot_code
    else:
        try:
            code = compile(argv[1], "<string>", "exec")
        except Exception as e:  # a SyntaxError: reported as the interpreter does
            _wasmbox_finish(_wasmbox_uncaught(e))
    sys.argv = ["-c"] + argv[2:]
    # PYTHONPATH's entries go after the script's directory, as at a start.
    pythonpath = job["env"].get("PYTHONPATH")
    if pythonpath:
        sys.path[0:0] = [os.path.abspath(p) for p in pythonpath.split(os.pathsep)]
    sys.path.insert(0, "")
    main = sys.modules["__main__"].__dict__
    finish, exit_status, uncaught = _wasmbox_finish, _wasmbox_exit_status, _wasmbox_uncaught
    for name in [n for n in main if n not in ("__name__", "__doc__", "__builtins__")]:
        del main[name]
    main.update(__loader__=None, __spec__=None, __package__=None)
    try:
        exec(code, main)
        status = 0
    except SystemExit as e:
        status = exit_status(e)
    except BaseException as e:
        if job.get("stay") or isinstance(e, KeyboardInterrupt):
            raise
        status = uncaught(e)
    if job.get("stay"):
        return
    finish(status)


if sys.argv[2:3] == ["snapshot"]:
    # Any further arguments are a preloaded variant's (see preload.go):
    # absolute paths to append to sys.path, then modules to import. One that
    # fails to import is left for the job to import, and to report.
    for _wasmbox_name in sys.argv[3:]:
        if _wasmbox_name.startswith("/"):
            sys.path.append(_wasmbox_name)
            continue
        try:
            __import__(_wasmbox_name)
        except ImportError:
            pass
    __wasmbox_run__ = _wasmbox_start
else:
    _wasmbox_start()
