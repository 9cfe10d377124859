#!/usr/bin/env bash
# Builds powerfit on a machine that has a compiler and CMake but not Debian's development
# packages (the lent GPU machine, say). Fetch the packages first on a Debian 12 machine:
#   mkdir -p .deps && (cd .deps && apt-get download libsqlite3-dev nlohmann-json3-dev libcli11-dev)
# then carry .deps along and run: scripts/build-portable.sh [BUILD_DIR]
# SQLite is linked statically from libsqlite3-dev's archive, so the binary runs without it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-portable}
prefix=$PWD/.deps/prefix
mkdir -p "$prefix"
for deb in .deps/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPOWERFIT_BUILD_TESTS=OFF -DPOWERFIT_BUILD_API_LIBRARY=OFF -DCMAKE_DISABLE_FIND_PACKAGE_pybind11=ON -DPOWERFIT_BUILD_BENCHMARKS=OFF \
  -DCMAKE_PREFIX_PATH="$prefix/usr" \
  -DSQLite3_INCLUDE_DIR="$prefix/usr/include" \
  -DSQLite3_LIBRARY="$prefix/usr/lib/x86_64-linux-gnu/libsqlite3.a"
cmake --build "$build" -j "$(nproc)"
