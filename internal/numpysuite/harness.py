# Runs a share of numpy's own test suite inside the sandbox with pytest.
#
# usage: harness.py TESTS_ROOT TEST_PATH...
#
# pytest and its dependencies come with --packages (Debian's pure-Python
# packages, see debs.go).
# numpy itself is the sandbox's (numpy.zip, already imported in the numpy
# snapshot); TESTS_ROOT holds numpy's test directories from
# numpy-with-tests.zip, which are added to the __path__ of the packages they
# belong to, so that pytest imports numpy._core.tests.test_x as numpy would.
# Prints one JSON line: {"passed": N, "failed": N, ..., "failures": [...]}.
import importlib
import json
import sys

sys.dont_write_bytecode = True  # the package mounts are read-only
root, paths = sys.argv[1], sys.argv[2:]

import numpy  # noqa: E402

for name in ["numpy", "numpy._core", "numpy.linalg", "numpy.fft", "numpy.random", "numpy.lib",
             "numpy.ma", "numpy.polynomial", "numpy.matrixlib", "numpy.testing", "numpy.typing",
             "numpy._utils"]:
    importlib.import_module(name).__path__.append(root + "/" + name.replace(".", "/"))

import os  # noqa: E402

import pytest  # noqa: E402

# pytest's tmp_path fixture names and checks its directory by os.getuid(),
# which WASI has not; the sandbox has one user.
if not hasattr(os, "getuid"):
    os.getuid = lambda: 0


class _Missing(type(sys)):
    """A stand-in for a module WASI has not: importing it works, using it
    raises, naming what is missing."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError("%s is not available on wasm32-wasi (%s.%s)" % (self.__name__, self.__name__, name))


# numpy's test_multiarray.py imports ctypes and mmap at the top and
# test_ufunc.py ctypes, for a few of their tests: stand-ins let the rest of
# those files run, and the tests that use them fail saying why. (numpy
# itself was imported before this, and saw them missing.)
for _name in ("ctypes", "mmap"):
    try:
        importlib.import_module(_name)
    except ImportError:
        sys.modules[_name] = _Missing(_name)


class Tally:
    """Counts outcomes; keeps each failure's test id and last error line."""

    def __init__(self):
        self.counts = {"passed": 0, "failed": 0, "skipped": 0, "xfailed": 0, "xpassed": 0, "error": 0}
        self.failures = []

    def pytest_runtest_logreport(self, report):
        if hasattr(report, "wasxfail"):
            self.counts["xfailed" if report.skipped else "xpassed"] += 1
        elif report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                self.counts["passed"] += 1
            elif report.skipped:
                self.counts["skipped"] += 1
            else:
                self.counts["failed" if report.when == "call" else "error"] += 1
                line = str(report.longrepr).strip().splitlines()[-1] if report.longrepr else ""
                self.failures.append({"test": report.nodeid, "error": line[:300]})

    def pytest_collectreport(self, report):
        # A test file that cannot be imported (numpy's test_ufunc.py imports
        # ctypes, which WASI has not) is one error, and the rest still runs.
        if report.failed:
            self.counts["error"] += 1
            line = str(report.longrepr).strip().splitlines()[-1] if report.longrepr else ""
            self.failures.append({"test": report.nodeid, "error": line[:300]})


tally = Tally()
# No fd-level capture, faulthandler or log file: WASI has no dup() and the
# sandbox no /dev/null. The cache provider would write into the mounts.
status = pytest.main(["-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:logging",
                      "--capture=sys", "--continue-on-collection-errors", "-q", "--tb=line", "-W", "ignore", "--rootdir", root,
                      "-o", "addopts=", *paths], plugins=[tally])
sys.stdout.flush()
print(json.dumps(dict(tally.counts, status=int(status), failures=tally.failures)), file=sys.__stdout__, flush=True)
