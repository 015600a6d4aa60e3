"""wasmbox eval-tester harness: runs labelled cases against an evaluation function.

Runs inside the sandbox (CPython 3.12; stdlib only; also runs on 3.11):

    python3 harness.py SCRIPT FUNCTION CASES RESULTS START

  SCRIPT    the evaluation code, e.g. /tmp/eval_script.py. It is compiled
            with its real file name and run as the module "eval_script", so
            tracebacks name that file and its line numbers.
  FUNCTION  the name of the function in SCRIPT to test.
  CASES     JSON Lines, one normalised case object a line (as written by the
            Go side, Case.HarnessJSON), the line number (0-based, blank
            lines not counted) being the case index:
              {"name": str, "args": [...], "kwargs": {...}, "tolerance": number,
               "expected": any (only when the case has one),
               "raises": str (only when the case has one)}
            "input" in place of args/kwargs is also accepted (fn(input)).
  RESULTS   a file that is opened in append mode; one JSON line is written
            and flushed per finished case (see below), so every finished
            line survives if the process is killed. If the file does not
            end in a newline (a line torn by a killed run), one is written
            first, so the torn line stays a line of its own.
  START     the 0-based index of the first case to run; the cases before it
            are skipped without being parsed.

Results file lines (one JSON object each, ASCII, no NaN/Infinity):
  {"event": "result", "index": i, "name": str,
   "status": "pass" | "fail" | "error",
   "expected": any      (only when the case has one),
   "actual": any        (only when the call returned a JSON-able value),
   "error": {"type": str, "message": str, "traceback": str}
                        (when status is "error", and for a "fail" of a
                         "raises" case: the exception raised instead, or
                         an AssertionError when the call returned),
   "duration": float    (milliseconds spent in the call),
   "stdout": str        (what the call printed; capped at STDOUT_LIMIT
                         characters plus a truncation note),
   "tolerance": float, "raises": str (echoed from the case, "raises" only
                         when given)}
  {"event": "load_error", "error": {"type", "message", "traceback"}}
      when SCRIPT raises while loading or has no callable FUNCTION; no case
      runs then.

Progress lines, written to the real standard output and flushed at once,
one JSON object a line:
  {"event": "loaded"}                       SCRIPT loaded, FUNCTION found
  {"event": "load_error", "error": {...}}   as in the results file; the last line
  {"event": "start", "index": i}            case i begins
  {"event": "done", "index": i, "status": s}  case i's result line is written
  {"event": "end", "next": n}               no case left; n is the index after
                                            the last case
Output that SCRIPT prints while loading goes to standard error, and output
printed during a call is captured into that case's "stdout", so standard
output carries only these lines (unless the code reaches the real stream
on purpose). A host that sees "start" for case i but no "done" in time
kills the process, records case i as timed out, and runs the harness again
with START = i + 1.

A case line the harness cannot parse (the Go side checks cases, but a value
nested deeper than Python's recursion limit fails here) gets a result of
status "error" with error type "CaseError", and the run goes on.

Exit status: 0 when every case from START ran or loading failed (reported
as above); 2 for a bad command line or an unreadable cases file.

Under the wasmbox guard the harness is the guard's "file" target, with its
own directory among the trusted prefixes: it imports builtins, io, json,
math, sys, time, traceback (and unicodedata when present), all up front,
and takes open/compile/exec from the builtins module since the guard's
trimmed builtins lack them. The evaluation code runs with a copy of the
builtins the harness was given, so it is held to the policy.
"""

import builtins
import io
import json
import math
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


def _emit(stream, obj):
    stream.write(json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n")
    stream.flush()


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


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _equal(actual, expected, tol):
    """JSON equality; numbers within tol; booleans are not numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if _is_number(expected) or _is_number(actual):
        if not (_is_number(expected) and _is_number(actual)):
            return False
        if expected == actual:
            return True
        try:
            return abs(actual - expected) <= tol
        except OverflowError:  # an int too large for a float
            return False
    if expected is None or actual is None:
        return expected is None and actual is None
    if isinstance(expected, str) or isinstance(actual, str):
        return isinstance(expected, str) and isinstance(actual, str) and expected == actual
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(_equal(a, e, tol) for a, e in zip(actual, expected)))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(_equal(actual[k], expected[k], tol) for k in expected))
    return False


def _raised_matches(exc, name):
    for cls in type(exc).__mro__:
        if cls.__name__ == name or cls.__qualname__ == name:
            return True
    return False


def _dumps(v):
    return json.dumps(v, ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def load_function(script, func_name):
    """Runs SCRIPT as a module and returns (function, None) or (None, error)."""
    saved_stdout = sys.stdout
    sys.stdout = sys.__stderr__  # keep the progress stream clean
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


def run_case(fn, case, index, script):
    """Runs one case and returns its result record."""
    name = case.get("name")
    if not isinstance(name, str):
        name = "case %d" % (index + 1)
    tol = case.get("tolerance", 1e-9)
    if not _is_number(tol):
        tol = 1e-9
    has_expected = "expected" in case
    expected = case.get("expected")
    raises = case.get("raises")
    if "args" in case or "kwargs" in case:
        args = case.get("args") or []
        kwargs = case.get("kwargs") or {}
    elif "input" in case:
        args, kwargs = [case["input"]], {}
    else:
        args, kwargs = [], {}

    rec = {"event": "result", "index": index, "name": name}
    if has_expected:
        rec["expected"] = expected
    out = _CappedOutput(STDOUT_LIMIT)
    saved_stdout = sys.stdout
    exc = None
    result = None
    sys.stdout = out
    t0 = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except BaseException as e:  # SystemExit and KeyboardInterrupt too
        exc = e
    finally:
        elapsed = time.perf_counter() - t0
        sys.stdout = saved_stdout
    rec["duration"] = elapsed * 1000.0
    rec["stdout"] = out.text()
    rec["tolerance"] = tol
    if raises is not None:
        rec["raises"] = raises

    if exc is not None:
        info = _error_info(exc, script)
        if raises is None:
            rec["status"] = "error"
        elif _raised_matches(exc, raises):
            rec["status"] = "pass"
            info = None
        else:
            rec["status"] = "fail"
        if info is not None:
            rec["error"] = info
        exc = None
        return rec

    try:
        value = _to_json(result, "$", set())
        encoded = _dumps(value)
    except _NotJSON as e:
        value, encoded, not_json = None, None, str(e)
    except BaseException as e:  # e.g. an int too long to print, RecursionError
        value, encoded, not_json = None, None, "return value cannot be written as JSON: %s: %s" % (
            type(e).__name__, _safe_str(e))
    else:
        not_json = None
        rec["actual"] = value

    if raises is not None:
        rec["status"] = "fail"
        got = ("returned %s" % _short(encoded)) if encoded is not None else (
            "returned a value of type %s" % type(result).__name__)
        rec["error"] = _plain_error(
            "AssertionError", "expected %s to be raised, but the call %s" % (raises, got))
    elif not has_expected:
        rec["status"] = "pass"
    elif not_json is not None:
        rec["status"] = "error"
        rec["error"] = _plain_error("TypeError", not_json)
    elif _equal(value, expected, tol):
        rec["status"] = "pass"
    else:
        rec["status"] = "fail"
    return rec


def _short(s, limit=200):
    return s if len(s) <= limit else s[:limit] + "..."


def _iter_lines(path, start):
    """(index, line) for each case line from index start on."""
    with _open(path, "r", encoding="utf-8") as f:
        index = 0
        for line in f:
            if not line.strip():
                continue
            if index >= start:
                yield index, line
            index += 1


def _read_case(line, index):
    """The case on line, or an error record if it cannot be read (the Go side
    checks cases, but a very deeply nested value exceeds Python's recursion
    limit)."""
    try:
        case = json.loads(line)
        if isinstance(case, dict):
            return case, None
        message = "case is not a JSON object"
    except Exception as e:
        message = "%s: %s" % (type(e).__name__, _safe_str(e))
    return None, {"event": "result", "index": index, "name": "case %d" % (index + 1),
                  "status": "error", "duration": 0.0, "stdout": "",
                  "error": _plain_error("CaseError", "the harness cannot read this case: " + message)}


def _result_line(rec):
    try:
        return _dumps(rec)
    except Exception as e:  # e.g. an expected value of 1e400 (inf) or a too-deep value
        rec.pop("actual", None)
        rec.pop("expected", None)
        rec["status"] = "error"
        rec["error"] = _plain_error(type(e).__name__, "cannot write the result: %s" % _safe_str(e))
        return _dumps(rec)


def _open_results(path):
    """Opens the results file for appending, first ending a line torn by a
    previous run that was killed while writing it."""
    f = _open(path, "a", encoding="utf-8", newline="\n")
    if f.tell() > 0:
        with _open(path, "rb") as r:
            r.seek(-1, 2)
            if r.read(1) != b"\n":
                f.write("\n")
                f.flush()
    return f


def main(argv):
    if len(argv) != 6:
        sys.stderr.write("usage: harness.py SCRIPT FUNCTION CASES RESULTS START\n")
        return 2
    script, func_name, cases_path, results_path = argv[1], argv[2], argv[3], argv[4]
    try:
        start = int(argv[5])
    except ValueError:
        sys.stderr.write("harness: START must be an integer, got %r\n" % argv[5])
        return 2
    progress = sys.__stdout__
    try:
        cases_file = _open(cases_path, "rb")
        cases_file.close()
    except OSError as e:
        sys.stderr.write("harness: cannot read cases: %s\n" % e)
        return 2
    with _open_results(results_path) as results:
        fn, err = load_function(script, func_name)
        if err is not None:
            _emit(results, {"event": "load_error", "error": err})
            _emit(progress, {"event": "load_error", "error": err})
            return 0
        _emit(progress, {"event": "loaded"})
        next_index = start
        try:
            for index, line in _iter_lines(cases_path, start):
                _emit(progress, {"event": "start", "index": index})
                case, rec = _read_case(line, index)
                if rec is None:
                    rec = run_case(fn, case, index, script)
                results.write(_result_line(rec) + "\n")
                results.flush()
                _emit(progress, {"event": "done", "index": index, "status": rec["status"]})
                next_index = index + 1
        except (OSError, UnicodeDecodeError) as e:  # unreadable cases file
            sys.stderr.write("harness: cannot read the cases file after case %d: %s\n" % (next_index, e))
            return 2
        _emit(progress, {"event": "end", "next": next_index})
    return 0


if __name__ == "__main__":
    sys.dont_write_bytecode = True
    sys.exit(main(sys.argv))
