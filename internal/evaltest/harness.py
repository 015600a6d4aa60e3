"""wasmbox eval-tester harness: the guest side. It calls the evaluation
function as the host asks and reports what the call did; the host judges.

Runs inside the sandbox (CPython 3.13; stdlib only; also runs on 3.11):

    python3 harness.py SCRIPT FUNCTION

  SCRIPT    the evaluation code, e.g. /tmp/eval_script.py. It is compiled
            with its real file name and run as the module "eval_script", so
            tracebacks name that file and its line numbers.
  FUNCTION  the name of the function in SCRIPT to test.

The harness never sees what a case expects: no expected value, tolerance or
exception class enters the guest. It speaks one JSON line (ASCII) at a time,
reading file descriptor 0 and writing file descriptor 1:

  guest: {"ready": true}                        SCRIPT loaded, FUNCTION found
     or  {"loadError": {"type", "message", "traceback"}}   and the harness exits
  host:  {"index": i, "args": [...], "kwargs": {...}}      one case
  guest: exactly one reply, then it reads the next case:
         {"index": i, "duration": ms, "stdout": str, "value": any}
                                    the call returned
         {"index": i, "duration": ms, "stdout": str, "notJSON": str,
          "valueType": str}         it returned what JSON cannot represent
         {"index": i, "duration": ms, "stdout": str, "raised": {"type",
          "classes", "message", "traceback"}}
                                    it raised; classes names every class of
                                    the exception's MRO (__name__ and
                                    __qualname__)
         {"index": i, "caseError": str}   the harness cannot read the case
         duration is the time spent in the call, in milliseconds.
  host:  end of file                            no case left: exit 0

The host hands out a case only when the harness reads fd 0, and takes the
one reply written since as that case's, so anything else written to fd 1 in
between (by code that reaches the real stream on purpose) makes the case an
error there. What the call prints through sys.stdout (and sys.__stdout__) is
captured into its reply's "stdout", capped at STDOUT_LIMIT characters plus a
truncation note; what SCRIPT prints while loading goes to standard error.

Under the wasmbox guard the harness is the guard's "file" target, with its
own directory among the trusted prefixes: it imports builtins, io, json,
math, os, sys, time, traceback (and unicodedata when present), all up front, and
takes open/compile/exec from the builtins module since the guard's trimmed
builtins lack them. The evaluation code runs with a copy of the builtins
the harness was given, so it is held to the policy.
"""

import builtins
import io
import json
import math
import os
import sys
import time
import traceback

try:  # traceback imports it lazily for non-ASCII source lines; import it up front
    import unicodedata  # noqa: F401
except ImportError:
    pass

STDOUT_LIMIT = 64 * 1024  # characters of output kept per case
MODULE_NAME = "eval_script"

# Under the wasmbox guard the harness runs as __main__ with the guard's
# trimmed builtins, which lack open, compile and exec; it takes those from
# the builtins module. The evaluation code gets a copy of the builtins the
# harness was given (the trimmed ones under the guard), so that it cannot
# change the harness's.
_open, _compile, _exec = builtins.open, builtins.compile, builtins.exec
_read, _write = os.read, os.write
_GIVEN_BUILTINS = __builtins__


def _user_builtins():
    b = _GIVEN_BUILTINS
    return dict(b) if isinstance(b, dict) else dict(b.__dict__)


class _NotJSON(Exception):
    """The return value cannot be represented as JSON."""


class _CappedOutput(io.StringIO):
    """A text stream that keeps at most `limit` characters."""

    def __init__(self, limit):
        super().__init__()
        self._limit = limit
        self._kept = 0
        self._dropped = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        n = len(s)
        room = self._limit - self._kept
        if room > 0:
            part = s if n <= room else s[:room]
            super().write(part)
            self._kept += len(part)
        if n > room:
            self._dropped += n - max(room, 0)
        return n

    def text(self):
        out = self.getvalue()
        if self._dropped:
            out += "\n[output truncated: %d more characters]\n" % self._dropped
        return out


def _dumps(v):
    return json.dumps(v, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _send(line):
    """Writes one protocol line (a str without its newline) to fd 1."""
    data = (line + "\n").encode("ascii")
    while data:
        data = data[_write(1, data):]


def _read_line():
    """The next line from fd 0, or None at end of file."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = _read(0, 1 << 16)
        if not chunk:
            return None
        data += chunk
    return data


def _safe_str(exc):
    try:
        return str(exc)
    except BaseException:  # a __str__ that raises
        return "<exception str() failed>"


def _error_info(exc, script):
    """type, message and traceback of exc, the traceback cut to start at the
    first frame of the evaluation script (the harness frames are dropped);
    after its last frame of the script, frames of code without a real file
    (the guard's "<string>", "<frozen importlib...>") are dropped too."""
    try:
        te = traceback.TracebackException.from_exception(exc)
        frames = list(te.stack)
        mine = [i for i, fs in enumerate(frames) if fs.filename == script]
        if mine:
            tail = [fs for fs in frames[mine[-1] + 1:] if not fs.filename.startswith("<")]
            frames = frames[mine[0]:mine[-1] + 1] + tail
        else:
            frames = []
        te.stack = traceback.StackSummary.from_list(frames)
        tb = "".join(te.format())
    except BaseException:
        tb = ""
    return {"type": type(exc).__name__, "message": _safe_str(exc), "traceback": tb}


def _class_names(exc):
    """__name__ and __qualname__ of every class in type(exc).__mro__."""
    names = []
    for cls in type(exc).__mro__:
        for attr in ("__name__", "__qualname__"):
            try:
                name = getattr(cls, attr)
            except BaseException:
                continue
            if isinstance(name, str) and name not in names:
                names.append(str.__str__(name))
    return names


def _plain_error(type_name, message):
    return {"type": type_name, "message": message, "traceback": ""}


def _path_key(path, key):
    if key.isidentifier():
        return path + "." + key
    return path + "[" + json.dumps(key, ensure_ascii=False) + "]"


def _to_json(value, path, active):
    """A copy of value made of JSON types only (tuples become lists);
    raises _NotJSON naming the first offending part."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, int):
        return int.__index__(value)  # plain int, without calling user methods
    if isinstance(value, float):
        f = float.__float__(value)
        if not math.isfinite(f):
            where = "" if path == "$" else " at " + path
            raise _NotJSON("return value contains %r%s, which JSON cannot represent" % (f, where))
        return f
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple, dict)):
        if id(value) in active:
            raise _NotJSON("return value contains a circular reference at " + path)
        active.add(id(value))
        try:
            if isinstance(value, dict):
                out = {}
                for k, v in dict.items(value):
                    if not isinstance(k, str):
                        raise _NotJSON(
                            "return value has a dict key of type %s at %s; JSON object keys must be str"
                            % (type(k).__name__, path))
                    k = str.__str__(k)
                    out[k] = _to_json(v, _path_key(path, k), active)
                return out
            items = list.__iter__(value) if isinstance(value, list) else tuple.__iter__(value)
            return [_to_json(v, "%s[%d]" % (path, i), active) for i, v in enumerate(items)]
        finally:
            active.discard(id(value))
    where = "" if path == "$" else " (at %s)" % path
    raise _NotJSON("return value of type %s is not JSON-serialisable%s" % (type(value).__name__, where))


def load_function(script, func_name):
    """Runs SCRIPT as a module and returns (function, None) or (None, error)."""
    saved_stdout = sys.stdout
    sys.stdout = sys.__stderr__  # keep the protocol stream clean
    try:
        with _open(script, "rb") as f:
            source = f.read()
        module = type(sys)(MODULE_NAME)
        namespace = module.__dict__
        namespace["__file__"] = script
        namespace["__builtins__"] = _user_builtins()
        sys.modules[MODULE_NAME] = module
        code = _compile(source, script, "exec", dont_inherit=True)
        _exec(code, namespace)
    except BaseException as exc:
        return None, _error_info(exc, script)
    finally:
        sys.stdout = saved_stdout
    if func_name not in namespace:
        return None, _plain_error(
            "AttributeError", "the evaluation code defines no function named %r" % func_name)
    fn = namespace[func_name]
    if not callable(fn):
        return None, _plain_error(
            "TypeError", "%r in the evaluation code is not callable (it is of type %s)"
            % (func_name, type(fn).__name__))
    return fn, None


def _read_case(line):
    """(index, args, kwargs) of a request line, or (index, None, message)
    when it cannot be read (a value nested deeper than Python's recursion
    limit fails here)."""
    index = None
    try:
        req = json.loads(line)
        index = req["index"]
        args, kwargs = req["args"], req["kwargs"]
        if isinstance(index, int) and isinstance(args, list) and isinstance(kwargs, dict):
            return index, args, kwargs
        message = "malformed request"
    except Exception as e:
        message = "%s: %s" % (type(e).__name__, _safe_str(e))
    if not isinstance(index, int):  # the host writes the index first
        head = line[:40].split(b",", 1)[0]
        digits = head[len(b'{"index":'):]
        index = int(digits) if head.startswith(b'{"index":') and digits.isdigit() else -1
    return index, None, message


def run_case(fn, line, script):
    """Runs the case of one request line and returns the reply line."""
    index, args, kwargs = _read_case(line)
    if args is None:
        return '{"index":%d,"caseError":%s}' % (index, _dumps("the harness cannot read this case: " + kwargs))
    out = _CappedOutput(STDOUT_LIMIT)
    saved = sys.stdout, sys.__stdout__
    exc = None
    result = None
    sys.stdout = sys.__stdout__ = out
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:  # SystemExit and KeyboardInterrupt too
        exc = e
    finally:
        elapsed = time.perf_counter() - t0
        sys.stdout, sys.__stdout__ = saved
    head = '{"index":%d,"duration":%r,"stdout":%s,' % (index, elapsed * 1000.0, _dumps(out.text()))
    if exc is not None:
        raised = _error_info(exc, script)
        raised["classes"] = _class_names(exc)
        exc = None
        return head + '"raised":%s}' % _dumps(raised)
    try:
        encoded = _dumps(_to_json(result, "$", set()))
    except _NotJSON as e:
        not_json = str(e)
    except BaseException as e:  # e.g. an int too long to print, RecursionError
        not_json = "return value cannot be written as JSON: %s: %s" % (type(e).__name__, _safe_str(e))
    else:
        return head + '"value":%s}' % encoded
    return head + '"notJSON":%s,"valueType":%s}' % (_dumps(not_json), _dumps(type(result).__name__))


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: harness.py SCRIPT FUNCTION\n")
        return 2
    script, func_name = argv[1], argv[2]
    sys.stdin = sys.__stdin__ = io.StringIO()  # fd 0 is the host's; the code reads nothing
    fn, err = load_function(script, func_name)
    if err is not None:
        _send('{"loadError":%s}' % _dumps(err))
        return 0
    _send('{"ready":true}')
    while True:
        line = _read_line()
        if line is None:
            return 0
        _send(run_case(fn, line, script))


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main(sys.argv))
