#!/usr/bin/env bash
# Installs the dependencies, builds with warnings as errors and runs the whole test suite.
# --sanitize builds and tests under AddressSanitizer and UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=build
flags=(-DPOWERFIT_WERROR=ON -DPOWERFIT_REQUIRE_BACKENDS=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-sanitize
  flags+=(-DPOWERFIT_SANITIZE=ON -DPOWERFIT_BUILD_BENCHMARKS=OFF)
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}"
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
