#!/usr/bin/python3.13
"""Make the wasmbox stdlib zip: .pyc only, unchecked-hash pycs, sorted,
fixed timestamps, ZIP_STORED.

usage: mkzip.py LIBDIR SYSCONFIGDATA.py OUT.zip
       mkzip.py --package SRCDIR OVERLAYDIR OUT.zip WITHTESTS.zip
           a package's Python part (numpy: the source tree's numpy/, with
           the files meson generates in OVERLAYDIR): OUT.zip without its
           tests directories (for /usr/local/lib), WITHTESTS.zip with them
           as sources (mounted with --packages to run the package's own
           tests with pytest)

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


def pyc(source, arcname, zip_in_guest=ZIP_IN_GUEST):
    # co_filename is where zipimport says the module lives in the guest.
    code = compile(source, f"{zip_in_guest}/{arcname}", "exec",
                   dont_inherit=True, optimize=0)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source),
                                   checked=False))


# Package directories left out of a --package zip: build helpers, the
# PyInstaller hook, distutils (gone from Python 3.12) and f2py (it drives a
# native compiler).
OMIT_PACKAGE = {"_build_utils", "_pyinstaller", "distutils", "f2py", "doc"}


def package_entries(srcdir, overlay):
    """{arcname of .py: abs path}: srcdir's tree, overlay's files on top."""
    name = os.path.basename(os.path.normpath(srcdir))
    found = {}
    for base in (srcdir, overlay):
        for dirpath, dirnames, filenames in os.walk(base):
            rel = os.path.relpath(dirpath, base)
            dirnames[:] = sorted(d for d in dirnames
                                 if d != "__pycache__" and not (rel == "." and d in OMIT_PACKAGE))
            for f in sorted(filenames):
                arc = os.path.normpath(os.path.join(name, rel, f))
                # .py files everywhere; the tests' data files as they are.
                if f.endswith(".py") or ("tests" in arc.split("/")[:-1] and not f.endswith(".pyc")):
                    found[arc] = os.path.join(dirpath, f)
    return found


def package(srcdir, overlay, out, withtests_out):
    files, withtests = {}, {}
    libdir = os.path.dirname(ZIP_IN_GUEST)
    for arc, full in sorted(package_entries(srcdir, overlay).items()):
        with open(full, "rb") as f:
            source = f.read()
        if "tests" in arc.split("/")[:-1] or arc.endswith("/conftest.py"):
            # Tests as they are (pytest collects and rewrites .py files),
            # with their data files and conftest.py.
            withtests[arc] = source
            continue
        withtests[arc + "c"] = pyc(source, arc, libdir + "/" + os.path.basename(withtests_out))
        files[arc + "c"] = pyc(source, arc, libdir + "/" + os.path.basename(out))
    write(files, out)
    write(withtests, withtests_out)


def main():
    if sys.argv[1:2] == ["--package"] and len(sys.argv) == 6:
        package(*sys.argv[2:6])
        return
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    libdir, sysconfigdata, out = sys.argv[1:4]
    files = {}
    for arc, full in entries(libdir):
        with open(full, "rb") as f:
            files[arc + "c"] = pyc(f.read(), arc)
    arc = os.path.basename(sysconfigdata)
    with open(sysconfigdata, "rb") as f:
        files[arc + "c"] = pyc(f.read(), arc)
    write(files, out)


def write(files, out):
    """Write files ({arcname: bytes}) and their directories to out."""
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
    print(f"{out}: {len(files)} files, {len(dirs)} dirs, "
          f"{os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
