#!/bin/bash
# Reproducible build of CPython 3.13 for wasm32-wasi as a WASI reactor, from
# Debian trixie packages and sources. See README.md in this folder.
#
#   sudo assets/build/build.sh            # everything, from nothing
#
# Environment:
#   WASMBOX_BUILD_DIR  where the chroot lives (default /var/tmp/wasmbox-build;
#                      the chroot is $WASMBOX_BUILD_DIR/root)
#   WASMBOX_MIRROR     Debian mirror (default http://deb.debian.org/debian)
#   WASMBOX_STAGES     inner stages to run (default: all; see inner.sh)
# Outputs (relative to this script): ../cpython313/python.wasm and
# ../cpython313/python313.zip; ../cpython313/python-numpy.wasm (the same
# interpreter with numpy's extension modules built in), numpy.zip (numpy's
# Python part) and numpy-with-tests.zip (the same with numpy's own tests, not
# embedded); and versions.txt next to this script.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
ASSETS=$(cd "$HERE/.." && pwd)
BASE=${WASMBOX_BUILD_DIR:-/var/tmp/wasmbox-build}
ROOT=$BASE/root
MIRROR=${WASMBOX_MIRROR:-http://deb.debian.org/debian}
SUITE=trixie
PACKAGES="clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 wasi-libc python3.13 make pkg-config xz-utils dpkg-dev patch tcl8.6 ca-certificates libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 meson ninja-build cython3"

[ "$(id -u)" = 0 ] || { echo "build.sh: must run as root (chroot)"; exit 1; }

in_chroot() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LC_ALL=C.UTF-8 TZ=UTC DEBIAN_FRONTEND=noninteractive \
        SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-}" JOBS="$(nproc)" "$@"
}

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    echo "=== creating the $SUITE chroot in $ROOT"
    mkdir -p "$BASE"
    debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$ROOT" "$MIRROR"
fi
printf 'deb %s %s main\ndeb-src %s %s main\n' "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" \
    > "$ROOT/etc/apt/sources.list"
rm -f "$ROOT/etc/apt/sources.list.d/debian.sources"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"

echo "=== installing packages"
in_chroot apt-get update -q
in_chroot apt-get install -y -q --no-install-recommends $PACKAGES

# Fresh recipe; fixed paths inside the chroot. A full run (no
# WASMBOX_STAGES) also starts from fresh sources and an empty build
# directory; with WASMBOX_STAGES (e.g. "reactor zip") the earlier stages'
# outputs in /build/work are kept and only the named stages run again.
rm -rf "$ROOT/build/recipe"
mkdir -p "$ROOT/build/recipe"
cp -a "$HERE/inner.sh" "$HERE/mkzip.py" "$HERE/wasmbox_reactor.c" "$HERE/wasmbox_guard.c" "$HERE/patches" "$HERE/numpy" "$ROOT/build/recipe/"

if [ -z "${WASMBOX_STAGES:-}" ]; then
    rm -rf "$ROOT/build/src" "$ROOT/build/work" "$ROOT/build/out"
    in_chroot bash /build/recipe/inner.sh sources
elif [ ! -d "$ROOT/build/work/cpython-debian" ]; then
    echo "build.sh: WASMBOX_STAGES needs an earlier full run (no /build/work in the chroot)"
    exit 1
fi
# SOURCE_DATE_EPOCH: the date of the python3.13 source package's changelog entry.
SOURCE_DATE_EPOCH=$(in_chroot dpkg-parsechangelog -l /build/work/cpython-debian/debian/changelog -STimestamp)
export SOURCE_DATE_EPOCH
echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
in_chroot bash /build/recipe/inner.sh ${WASMBOX_STAGES:-deps-zlib deps-bzip2 deps-sqlite3 cpython reactor zip numpy numpy-reactor numpy-zip}

# versions.txt: every Debian package that goes into the build.
{
    echo "# Written by build.sh. Debian $SUITE packages used to build assets/cpython313."
    echo "# mirror: $MIRROR"
    echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
    echo
    echo "## toolchain and build python (binary packages, dpkg-query)"
    in_chroot dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' \
        clang-19 libclang-cpp19 libllvm19 lld-19 llvm-19 llvm-19-linker-tools \
        libclang-rt-19-dev-wasm32 libclang-common-19-dev wasi-libc \
        python3.13 python3.13-minimal libpython3.13-minimal libpython3.13-stdlib \
        make pkg-config xz-utils dpkg-dev patch tcl8.6 libc6 \
        libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 meson ninja-build cython3
    echo
    echo "## source packages (apt-get source; .dsc and their files with sha256)"
    for dsc in "$ROOT"/build/src/*.dsc; do
        echo "$(sed -n 's/^Source: //p' "$dsc") $(sed -n 's/^Version: //p' "$dsc")  ($(basename "$dsc") sha256 $(sha256sum < "$dsc" | cut -d' ' -f1))"
        sed -n '/^Checksums-Sha256:/,/^[A-Z]/p' "$dsc" | grep '^ ' | awk '{print "    " $3 " " $1}'
    done
    echo
    echo "## numpy (the upstream tarball of trixie's source package; sha256 from trixie's Sources)"
    cat "$ROOT/build/src/numpy-source.txt"
    echo
    echo "## CPython patches"
    cat "$ROOT/build/work/cpython-patches.txt"
    echo
    echo "## outputs (python.wasm before the preemption points; assets/cpython313 holds it after)"
    (cd "$ROOT/build/out" && sha256sum python.wasm python313.zip python-numpy.wasm numpy.zip numpy-with-tests.zip)
} > "$HERE/versions.txt"

# Outside the chroot, with the repository's Go: give every loop a preemption
# point (internal/wasmbin.AddPreemption), far cheaper than wazero's
# WithCloseOnContextDone.
mkdir -p "$ASSETS/cpython313"
for wasm in python.wasm python-numpy.wasm; do
    (cd "$ASSETS/.." && ${GO:-go} run ./internal/wasmbin/cmd/wasmbin preempt "$ROOT/build/out/$wasm" "$ASSETS/cpython313/$wasm")
done
cp "$ROOT/build/out/python313.zip" "$ROOT/build/out/numpy.zip" "$ROOT/build/out/numpy-with-tests.zip" "$ASSETS/cpython313/"
echo "=== outputs"
(cd "$ASSETS/cpython313" && ls -l python.wasm python313.zip python-numpy.wasm numpy.zip numpy-with-tests.zip &&
    sha256sum python.wasm python313.zip python-numpy.wasm numpy.zip numpy-with-tests.zip)
