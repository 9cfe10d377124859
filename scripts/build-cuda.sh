#!/usr/bin/env bash
# Builds powerfit against the LibTorch that ships inside a CUDA PyTorch install (pip's torch, say),
# on a machine with a compiler, CMake and the CUDA toolkit but without Debian's -dev packages.
# Fetch the header packages first on a Debian 12 machine and carry .deps along:
#   mkdir -p .deps && (cd .deps && apt-get download libsqlite3-dev nlohmann-json3-dev libcli11-dev)
# usage: scripts/build-cuda.sh [BUILD_DIR] [PYTHON]    (then: BUILD_DIR/src/powerfit bench --device cuda ...)
# POWERFIT_CUDA_TARGETS="powerfit powerfit_libtorch" builds only those targets.
# The LibTorch plugin is built against that torch; OpenCV is used when found, skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-cuda}
python=${2:-python3}
prefix=$PWD/.deps/prefix
mkdir -p "$prefix"
for deb in .deps/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
torch_cmake=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_lib=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPOWERFIT_BUILD_TESTS=OFF -DPOWERFIT_WITH_PROMETHEUS=OFF -DPOWERFIT_BUILD_API_LIBRARY=OFF -DCMAKE_DISABLE_FIND_PACKAGE_pybind11=ON -DPOWERFIT_BUILD_BENCHMARKS=ON \
  -DCMAKE_PREFIX_PATH="$prefix/usr;$torch_cmake" \
  -DCMAKE_INSTALL_RPATH="$torch_lib" -DCMAKE_BUILD_RPATH="$torch_lib" \
  -DSQLite3_INCLUDE_DIR="$prefix/usr/include" \
  -DSQLite3_LIBRARY="$prefix/usr/lib/x86_64-linux-gnu/libsqlite3.a"
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc)" ${POWERFIT_CUDA_TARGETS:+--target $POWERFIT_CUDA_TARGETS}
