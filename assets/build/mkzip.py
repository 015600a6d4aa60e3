#!/usr/bin/python3.13
"""Make the wasmbox stdlib zip: .pyc only, unchecked-hash pycs, sorted,
fixed timestamps, ZIP_STORED.

usage: mkzip.py LIBDIR SYSCONFIGDATA.py OUT.zip

Run it with the build python (same 3.13.x as the target) and a fixed
PYTHONHASHSEED (set ordering in frozenset constants depends on it).
"""
import importlib.util
import marshal  # noqa: F401  (documents that pycs are marshal output)
import os
import sys
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

ZIP_IN_GUEST = "/usr/local/lib/python313.zip"
DATE = (1980, 1, 1, 0, 0, 0)

# Top-level entries of Lib/ left out.
OMIT_TOP = {
    "test", "idlelib", "tkinter", "turtledemo", "turtle.py", "ensurepip",
    "venv", "pydoc_data", "lib2to3", "__phello__", "site-packages",
}
# Directory names left out anywhere.
OMIT_DIRS = {"__pycache__", "tests", "test", "idle_test"}


def entries(libdir):
    """Yield (arcname_of_py, abs_path) for every .py to include."""
    for top in sorted(os.listdir(libdir)):
        if top in OMIT_TOP:
            continue
        path = os.path.join(libdir, top)
        if os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if d not in OMIT_DIRS)
                for f in sorted(filenames):
                    if f.endswith(".py"):
                        full = os.path.join(dirpath, f)
                        yield os.path.relpath(full, libdir), full
        elif top.endswith(".py"):
            yield top, path


def pyc(source, arcname):
    # co_filename is where zipimport says the module lives in the guest.
    code = compile(source, f"{ZIP_IN_GUEST}/{arcname}", "exec",
                   dont_inherit=True, optimize=0)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source),
                                   checked=False))


def main():
    libdir, sysconfigdata, out = sys.argv[1:4]
    files = {}
    for arc, full in entries(libdir):
        with open(full, "rb") as f:
            files[arc + "c"] = pyc(f.read(), arc)
    arc = os.path.basename(sysconfigdata)
    with open(sysconfigdata, "rb") as f:
        files[arc + "c"] = pyc(f.read(), arc)
    dirs = set()
    for name in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(set(files) | dirs):
            zi = zipfile.ZipInfo(name, DATE)
            zi.create_system = 3
            zi.compress_type = zipfile.ZIP_STORED
            if name.endswith("/"):
                zi.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(zi, b"")
            else:
                zi.external_attr = 0o100644 << 16
                zf.writestr(zi, files[name])
    os.replace(tmp, out)
    print(f"{out}: {len(files)} pyc, {len(dirs)} dirs, "
          f"{os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
