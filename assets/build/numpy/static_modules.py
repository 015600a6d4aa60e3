#!/usr/bin/python3.13
"""Turn numpy's meson build into static, built-in modules of our reactor.

meson builds every numpy extension as a shared module; wasm32-wasi has no
dynamic loading, so the recipe builds only their objects and links them into
python-numpy.wasm, each registered as a built-in module under its dotted
name. Run in numpy's meson build directory.

usage:
  static_modules.py legacy-names HEADER
      Write HEADER: with NP_RANDOM_LEGACY (numpy.random.mtrand's own copy of
      the random distributions, built with `long` where the rest use
      int64_t) every function of that copy is renamed, so that the two
      copies, separate shared objects on other platforms, do not clash in
      one static link.
  static_modules.py targets
      Print the ninja targets to build: every extension's inputs (objects and
      static libraries) and the generated Python files.
  static_modules.py collect OUTDIR
      Archive each extension's objects as OUTDIR/libnp_<name>.a, write
      OUTDIR/link.txt (the archives and static libraries, in link order) and
      OUTDIR/numpy_inittab.c (a constructor that appends every module to
      the inittab before the interpreter starts), and fail if two archives
      define one symbol from different sources.
"""
import os
import re
import shlex
import subprocess
import sys

SUFFIX = ".cpython-313-wasm32-wasi.so"


def ninja(*args):
    return subprocess.run(["ninja", *args], check=True, capture_output=True,
                          text=True).stdout


def extensions():
    """(target, dotted module name, objects, static libs) of each extension."""
    out = []
    for line in ninja("-t", "targets", "all").splitlines():
        target = line.split(":")[0]
        if not target.endswith(SUFFIX):
            continue
        link = ninja("-t", "commands", target).splitlines()[-1]
        args = shlex.split(link)
        objs = [a for a in args if a.endswith(".o")]
        libs = [a for a in args if a.endswith(".a")]
        name = target[:-len(SUFFIX)].replace("/", ".")
        out.append((target, name, objs, libs))
    return sorted(out, key=lambda e: e[1])


def defined(path):
    """Global symbols defined in an object or archive: {symbol: member}."""
    nm = subprocess.run(["llvm-nm-19", "--defined-only", "-g", "-A", path],
                        check=True, capture_output=True, text=True).stdout
    syms = {}
    for line in nm.splitlines():
        where, _, rest = line.rpartition(": ")
        parts = rest.split()
        if len(parts) == 3 and parts[1] in "TDBRV":
            member = where.rsplit(":", 1)[-1]
            syms[parts[2]] = os.path.basename(member)
    return syms


def legacy_names(header):
    lib = "numpy/random/libnpyrandom.a"
    if not os.path.exists(lib):
        ninja(lib)
    names = sorted(s for s, member in defined(lib).items()
                   if member.endswith("distributions.c.o"))
    if not names:
        sys.exit("static_modules.py: no distributions symbols in " + lib)
    with open(header + ".tmp", "w") as f:
        f.write("/* Written by static_modules.py legacy-names. */\n")
        f.write("#ifdef NP_RANDOM_LEGACY\n")
        for n in names:
            f.write(f"#define {n} np_legacy_{n}\n")
        f.write("#endif\n")
    os.replace(header + ".tmp", header)
    print(f"{header}: {len(names)} legacy names")


def targets():
    wanted = set()
    for _, _, objs, libs in extensions():
        wanted.update(objs)
        wanted.update(libs)
    for line in ninja("-t", "targets", "all").splitlines():
        target = line.split(":")[0]
        if target.startswith("numpy/") and target.endswith(".py"):
            wanted.add(target)
    print("\n".join(sorted(wanted)))


def collect(outdir):
    os.makedirs(outdir, exist_ok=True)
    archives, libs, mods = [], [], []
    for _, name, objs, extlibs in extensions():
        ar = os.path.join(outdir, "libnp_%s.a" % name.replace(".", "_"))
        if os.path.exists(ar):
            os.remove(ar)
        subprocess.run(["llvm-ar-19", "rcsD", ar, *objs], check=True)
        archives.append(ar)
        for lib in extlibs:
            lib = os.path.abspath(lib)
            if lib not in libs:
                libs.append(lib)
        mods.append((name, "PyInit_" + name.rsplit(".", 1)[-1]))
    # One symbol defined twice must come from the same source file (numpy
    # compiles a few common files, and lapack_lite, into several modules):
    # whichever copy the linker takes is then the same code.
    seen = {}
    for path in archives + libs:
        for sym, member in defined(path).items():
            first = seen.setdefault(sym, (member, path))
            if first[0] != member:
                sys.exit(f"static_modules.py: {sym} is defined by {first[1]}({first[0]}) "
                         f"and {path}({member})")
    with open(os.path.join(outdir, "link.txt"), "w") as f:
        f.write(" ".join(archives + libs) + "\n")
    with open(os.path.join(outdir, "numpy_inittab.c"), "w") as f:
        f.write("/* Written by static_modules.py collect: numpy's extension modules\n"
                " * as built-in modules, appended to the inittab before the\n"
                " * interpreter starts (a constructor: the reactor's _initialize\n"
                " * runs it before wasmbox_init). */\n")
        f.write('#include "Python.h"\n\n')
        for _, init in mods:
            f.write(f"PyMODINIT_FUNC {init}(void);\n")
        f.write("\n__attribute__((constructor)) static void\nnumpy_inittab(void)\n{\n")
        for name, init in mods:
            f.write(f'    if (PyImport_AppendInittab("{name}", {init}) < 0) {{\n'
                    f'        abort();\n    }}\n')
        f.write("}\n")
    print(f"{outdir}: {len(mods)} modules, {len(libs)} static libraries")
    for name, _ in mods:
        print("  " + name)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "legacy-names":
        legacy_names(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "targets":
        targets()
    elif len(sys.argv) == 3 and sys.argv[1] == "collect":
        collect(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
