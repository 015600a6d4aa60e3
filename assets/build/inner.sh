#!/bin/bash
# Runs inside the trixie chroot (started by build.sh). Builds everything in
# the fixed directory /build/work from the sources in /build/src, and leaves
# the outputs in /build/out. Usage: inner.sh [stage...]
# stages: sources deps-zlib deps-bzip2 deps-sqlite3 cpython reactor zip
#         numpy numpy-reactor numpy-zip (default: all)
set -euo pipefail
umask 022

RECIPE=/build/recipe
SRC=/build/src          # Debian source packages (.dsc, tarballs)
W=/build/work           # everything built here (fixed path: it ends up in
                        # sysconfigdata, __FILE__ strings, ...)
OUT=/build/out
DEPS=$W/deps            # wasm32-wasi prefix for zlib/bzip2/sqlite3
SYSROOT=$W/sysroot      # only wasi-libc (no host /usr/include)
JOBS=${JOBS:-2}

export LC_ALL=C.UTF-8 TZ=UTC PYTHONHASHSEED=0
export CC_WASM="clang-19 --target=wasm32-wasi --sysroot=$SYSROOT"
export AR=llvm-ar-19 RANLIB=llvm-ranlib-19
DEP_CFLAGS="-O2"

log() { echo "=== $(date -u +%T) $*"; }

stage_sources() {
    log "fetching Debian sources"
    mkdir -p "$SRC"
    cd "$SRC"
    for pkg in python3.13 zlib bzip2 sqlite3; do
        if ! ls ${pkg}_*.dsc >/dev/null 2>&1; then
            if ! apt-get source --download-only "$pkg"; then
                # deb.debian.org sometimes lists a newer source version in
                # Sources than its pool carries yet: take the newest one
                # that can be fetched.
                for v in $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -r -V); do
                    apt-get source --download-only "$pkg=$v" && break
                done
            fi
        fi
    done
    fetch_numpy_orig
    ls -l "$SRC"

    rm -rf "$W"; mkdir -p "$W" "$DEPS/include" "$DEPS/lib/pkgconfig" "$SYSROOT/include" "$SYSROOT/lib"
    # A sysroot holding only wasi-libc, so that clang cannot fall back to the
    # chroot's glibc headers in /usr/include.
    ln -s /usr/include/wasm32-wasi "$SYSROOT/include/wasm32-wasi"
    ln -s /usr/lib/wasm32-wasi "$SYSROOT/lib/wasm32-wasi"

    cd "$W"
    dpkg-source -x "$SRC"/zlib_*.dsc zlib
    dpkg-source -x "$SRC"/bzip2_*.dsc bzip2
    dpkg-source -x "$SRC"/sqlite3_*.dsc sqlite3

    # CPython: pristine upstream tarball + Debian's upstream/security fixes,
    # without Debian's packaging/layout patches (multiarch, dist-packages,
    # sysconfig schemes, setup-modules, ...), which are for a Debian system
    # install and get in the way of a self-contained WASI build.
    local pydsc; pydsc=$(ls "$SRC"/python3.13_*.dsc)
    mkdir cpython-debian
    tar -xJf "$SRC"/python3.13_*.debian.tar.xz -C cpython-debian
    mkdir cpython
    tar -xJf "$SRC"/python3.13_*.orig.tar.xz -C cpython --strip-components=1
    local skip='^(deb-locations|distutils-install-layout|sysconfig-debian-schemes|tkinter-import|gdbm-import|link-opt|setup-modules|profiled-build|langpack-gettext|disable-sem-check|lto-link-flags|multiarch|ensurepip-disabled|destshared-location|min-.*|makefile-bootstrap|test-freeze-strip-libdir|stable-abi-multiarch|no-sphinx-.*|Add-Debian-specific-documentation-path-to-IDLE-menu|git-updates|patchlevel-noplus)\.d[i]?ff$'
    : > "$W/cpython-patches.txt"
    while read -r p; do
        p=${p%%#*}; p=$(echo "$p" | awk '{print $1}')
        [ -n "$p" ] || continue
        if [[ "$p" =~ $skip ]]; then
            echo "skip  debian/patches/$p" >> "$W/cpython-patches.txt"
            continue
        fi
        patch -d cpython -p1 --no-backup-if-mismatch -s < "cpython-debian/debian/patches/$p"
        echo "apply debian/patches/$p" >> "$W/cpython-patches.txt"
    done < cpython-debian/debian/patches/series
    for p in "$RECIPE"/patches/*.diff; do
        patch -d cpython -p1 --no-backup-if-mismatch -s < "$p"
        echo "apply wasmbox $(basename "$p")" >> "$W/cpython-patches.txt"
    done
    cat "$W/cpython-patches.txt"
}

# numpy: only the upstream tarball of trixie's source package is used (as
# for CPython, Debian's packaging is for a Debian system install). Its name
# and SHA-256 come from trixie's signed Sources index (apt-cache showsrc);
# deb.debian.org's pool has been seen without it, so the same file is also
# taken from NUMPY_ORIG_MIRRORS (Ubuntu's archive carries Debian's upstream
# tarballs unchanged), and apt-helper checks the sum either way.
NUMPY_ORIG_MIRRORS=${NUMPY_ORIG_MIRRORS:-"http://deb.debian.org/debian http://archive.ubuntu.com/ubuntu"}

# fetch_numpy_orig sets NUMPY_ORIG to the tarball's path; it records the
# version, sum and mirror in $SRC/numpy-source.txt when it downloads.
fetch_numpy_orig() {
    local rec file sum m
    rec=$(apt-cache showsrc numpy | awk '/^Checksums-Sha256:/{p=1; next} /^[A-Z]/{p=0} p && $3 ~ /\.orig\.tar\./ {print $3, $1; exit}')
    [ -n "$rec" ] || { echo "no numpy orig tarball in apt-cache showsrc numpy"; exit 1; }
    file=${rec% *}; sum=${rec#* }
    NUMPY_ORIG=$SRC/$file
    [ -f "$NUMPY_ORIG" ] && echo "$sum  $NUMPY_ORIG" | sha256sum -c --quiet && [ -f "$SRC/numpy-source.txt" ] && return
    apt-cache showsrc numpy | sed -n 's/^Version: /numpy source version: /p' | head -1 > "$SRC/numpy-source.txt"
    echo "$file sha256 $sum" >> "$SRC/numpy-source.txt"
    for m in $NUMPY_ORIG_MIRRORS; do
        if /usr/lib/apt/apt-helper download-file "$m/pool/main/n/numpy/$file" "$SRC/$file" "SHA256:$sum"; then
            echo "from $m/pool/main/n/numpy/$file" >> "$SRC/numpy-source.txt"
            return
        fi
    done
    echo "numpy: $file (sha256 $sum) is on none of: $NUMPY_ORIG_MIRRORS"; exit 1
}

stage_deps_zlib() {
    log "zlib"
    cd "$W/zlib"
    CC="$CC_WASM" CFLAGS="$DEP_CFLAGS" CHOST=wasm32-wasi ./configure --static --prefix="$DEPS"
    make -j"$JOBS" libz.a
    cp zlib.h zconf.h "$DEPS/include/"
    cp libz.a "$DEPS/lib/"
    sed -e "s|@prefix@|$DEPS|;s|@exec_prefix@|$DEPS|;s|@libdir@|$DEPS/lib|;s|@sharedlibdir@|$DEPS/lib|;s|@includedir@|$DEPS/include|;s|@VERSION@|$(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' zlib.h)|" zlib.pc.in > "$DEPS/lib/pkgconfig/zlib.pc"
}

stage_deps_bzip2() {
    log "bzip2"
    cd "$W/bzip2"
    local objs=""
    for f in blocksort huffman crctable randtable compress decompress bzlib; do
        $CC_WASM $DEP_CFLAGS -D_FILE_OFFSET_BITS=64 -c $f.c -o $f.o
        objs="$objs $f.o"
    done
    rm -f libbz2.a
    $AR rcD libbz2.a $objs
    $RANLIB libbz2.a
    cp bzlib.h "$DEPS/include/"
    cp libbz2.a "$DEPS/lib/"
}

stage_deps_sqlite3() {
    log "sqlite3 (amalgamation built with the native compiler + tclsh)"
    cd "$W/sqlite3"
    rm -rf bld-native; mkdir bld-native; cd bld-native
    CC=clang-19 CFLAGS=-O2 ../configure --disable-tcl --with-tcl=/nonexistent >/dev/null
    make -j"$JOBS" sqlite3.c sqlite3.h >/dev/null
    # SQLite has wasi support built in (__wasi__: no WAL, no mmap, no locking).
    $CC_WASM -O2 -DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION \
        -DSQLITE_OMIT_WAL -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_DEFAULT_MEMSTATUS=0 \
        -DSQLITE_DQS=0 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_MATH_FUNCTIONS \
        -D_WASI_EMULATED_GETPID -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_SIGNAL \
        -c sqlite3.c -o sqlite3.o
    rm -f libsqlite3.a
    $AR rcD libsqlite3.a sqlite3.o
    $RANLIB libsqlite3.a
    cp sqlite3.h sqlite3ext.h "$DEPS/include/"
    cp libsqlite3.a "$DEPS/lib/"
}

stage_cpython() {
    log "cpython configure"
    cd "$W/cpython"
    rm -rf cross-build/wasm32-wasi; mkdir -p cross-build/wasm32-wasi
    cd cross-build/wasm32-wasi
    # Settings as in Tools/wasm/wasi.py (upstream's WASI SDK recipe), with
    # Debian's clang-19/wasm-ld-19/wasi-libc/compiler-rt instead of WASI SDK.
    # OPT: upstream default (-O3) without -g.
    # --with-pymalloc: configure turns pymalloc off for WASI by default (a
    # choice inherited from Pyodide, not a WASI limitation); without it
    # every object allocation goes through wasi-libc's dlmalloc. pymalloc
    # needs no threads or mmap: with no HAVE_MMAP its arenas come from
    # malloc. No LTO: ThinLTO made pure-Python loops up to 10 % faster but
    # the machine code wazero caches 63 % bigger (43 MB against 26 MB), and
    # every process reads it back: 65 ms more per CLI run.
    CONFIG_SITE=../../Tools/wasm/config.site-wasm32-wasi \
    CC="$CC_WASM" CPP="clang-cpp-19 --target=wasm32-wasi --sysroot=$SYSROOT" \
    CXX="clang++-19 --target=wasm32-wasi --sysroot=$SYSROOT" \
    AR=llvm-ar-19 RANLIB=llvm-ranlib-19 READELF=true \
    OPT="-O3 -Wall" \
    PKG_CONFIG=pkg-config PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$DEPS/lib/pkgconfig" \
    ZLIB_CFLAGS="-I$DEPS/include" ZLIB_LIBS="-L$DEPS/lib -lz" \
    BZIP2_CFLAGS="-I$DEPS/include" BZIP2_LIBS="-L$DEPS/lib -lbz2" \
    LIBSQLITE3_CFLAGS="-I$DEPS/include" LIBSQLITE3_LIBS="-L$DEPS/lib -lsqlite3" \
    ../../configure \
        --host=wasm32-wasi --build=x86_64-pc-linux-gnu \
        --with-build-python=/usr/bin/python3.13 \
        --prefix=/usr/local \
        --disable-test-modules --without-ensurepip \
        --with-pymalloc \
        > "$W/configure.log" 2>&1 || { tail -50 "$W/configure.log"; exit 1; }
    grep -E '^(OPT|CONFIGURE_LDFLAGS_NODIST|LDFLAGS_NODIST|LINKFORSHARED|LIBS|MODLIBS|BASECFLAGS)\s*=' Makefile || true
    log "cpython make"
    make -j"$JOBS" all > "$W/make.log" 2>&1 || { tail -80 "$W/make.log"; exit 1; }
    grep -iE 'missing|disabled|failed|The necessary bits' "$W/make.log" | tail -20 || true
    ls -l python.wasm
}

stage_reactor() {
    log "relink as reactor"
    cd "$W/cpython/cross-build/wasm32-wasi"
    cp "$RECIPE/wasmbox_reactor.c" "$RECIPE/wasmbox_guard.c" ../../Programs/
    rm -f Programs/wasmbox_reactor.o
    make Programs/wasmbox_reactor.o
    # The link command make uses for python.wasm, with our glue instead of
    # Programs/python.o.
    local link
    link=$(make -n -W Programs/python.o python.wasm | grep -E -- '-o python\.wasm' | tail -1)
    [ -n "$link" ] || { echo "no link command"; exit 1; }
    echo "make's link: $link"
    link=${link/ Programs\/python.o / Programs\/wasmbox_reactor.o }
    link=${link/-o python.wasm/-o python-reactor.wasm}
    link="$link -mexec-model=reactor -Wl,--export=__stack_pointer -Wl,--strip-debug"
    echo "reactor link: $link" | tee "$W/reactor-link.txt"
    eval "$link"
    mkdir -p "$OUT"
    cp python-reactor.wasm "$OUT/python.wasm"
    ls -l "$OUT/python.wasm"
}

stage_zip() {
    log "stdlib zip"
    cd "$W/cpython/cross-build/wasm32-wasi"
    local sc
    sc=$(ls "$(cat pybuilddir.txt)"/_sysconfigdata_*.py)
    mkdir -p "$OUT"
    /usr/bin/python3.13 -s "$RECIPE/mkzip.py" ../../Lib "$sc" "$OUT/python313.zip"
}

NUMPY=$W/numpy             # numpy's source tree
NUMPY_BLD=$NUMPY/bld-wasi   # its meson build directory
NUMPY_LINK=$W/numpy-static  # archives, inittab and link list (static_modules.py)

stage_numpy() {
    log "numpy: configure"
    fetch_numpy_orig
    rm -rf "$NUMPY"; mkdir -p "$NUMPY"
    tar -xf "$NUMPY_ORIG" -C "$NUMPY" --strip-components=1
    for p in "$RECIPE"/numpy/*.diff; do
        patch -d "$NUMPY" -p1 --no-backup-if-mismatch -s < "$p"
        echo "apply wasmbox numpy/$(basename "$p")"
    done
    # Our CPython's headers where the target sysconfig says they are.
    (cd "$W/cpython/cross-build/wasm32-wasi" && make inclinstall > "$W/numpy-inclinstall.log" 2>&1)
    echo "/* numpy-static.h: filled in once libnpyrandom is built */" > "$W/numpy-static.h"
    cd "$NUMPY"
    # No threads, no BLAS (lapack_lite), no SIMD dispatch (wasm32 has no CPU
    # feature detection); SVML/highway/x86-simd-sort are x86-only.
    /usr/bin/python3.13 vendored-meson/meson/meson.py setup "$NUMPY_BLD" \
        --cross-file "$RECIPE/numpy/cross.ini" -Dbuildtype=release -Db_ndebug=if-release \
        -Dallow-noblas=true -Dblas=none -Dlapack=none -Ddisable-threading=true \
        -Ddisable-svml=true -Ddisable-highway=true -Ddisable-intel-sort=true \
        -Ddisable-optimization=true -Dcpu-baseline=none -Dcpu-dispatch=none \
        > "$W/numpy-configure.log" 2>&1 || { tail -40 "$W/numpy-configure.log"; exit 1; }
    log "numpy: build"
    cd "$NUMPY_BLD"
    /usr/bin/python3.13 "$RECIPE/numpy/static_modules.py" legacy-names "$W/numpy-static.h"
    # shellcheck disable=SC2046
    ninja -j"$JOBS" $(/usr/bin/python3.13 "$RECIPE/numpy/static_modules.py" targets) \
        > "$W/numpy-make.log" 2>&1 || { grep -A5 FAILED "$W/numpy-make.log" | head -60; exit 1; }
    /usr/bin/python3.13 "$RECIPE/numpy/static_modules.py" collect "$NUMPY_LINK"
}

stage_numpy_reactor() {
    log "numpy: relink the reactor with numpy's modules built in"
    cd "$W/cpython/cross-build/wasm32-wasi"
    [ -f python-reactor.wasm ] || { echo "numpy-reactor needs the reactor stage"; exit 1; }
    $CC_WASM -O2 -I../../Include -I. -c "$NUMPY_LINK/numpy_inittab.c" -o "$NUMPY_LINK/numpy_inittab.o"
    $CC_WASM -O2 -c "$RECIPE/numpy/cxx_throw.c" -o "$NUMPY_LINK/cxx_throw.o"
    local link
    link=$(sed -n 's/^reactor link: //p' "$W/reactor-link.txt")
    link=${link/-o python-reactor.wasm/-o python-numpy.wasm}
    # -lc-printscan-long-double: numpy prints long doubles (wasi-libc leaves
    # it out by default). --fatal-warnings: a signature mismatch between two
    # modules' copies of one function would otherwise become a trap.
    link="$link $NUMPY_LINK/numpy_inittab.o $NUMPY_LINK/cxx_throw.o $(cat "$NUMPY_LINK/link.txt") -lc++ -lc++abi -lc-printscan-long-double -Wl,--fatal-warnings"
    echo "numpy reactor link: $link" > "$W/numpy-reactor-link.txt"
    eval "$link"
    mkdir -p "$OUT"
    cp python-numpy.wasm "$OUT/python-numpy.wasm"
    ls -l "$OUT/python-numpy.wasm"
}

stage_numpy_zip() {
    log "numpy: Python part"
    mkdir -p "$OUT"
    /usr/bin/python3.13 -s "$RECIPE/mkzip.py" --package "$NUMPY/numpy" "$NUMPY_BLD/numpy" \
        "$OUT/numpy.zip" "$OUT/numpy-with-tests.zip"
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(sources deps-zlib deps-bzip2 deps-sqlite3 cpython reactor zip numpy numpy-reactor numpy-zip)
for s in "${stages[@]}"; do
    "stage_${s//-/_}"
done
log "done"
