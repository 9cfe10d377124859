#!/usr/bin/env bash
# Installs the dependencies, builds with warnings as errors and runs the whole test suite.
# --sanitize builds and tests under AddressSanitizer and UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=build
# Line tables only (-g1): a failure's backtrace keeps its files and lines, and the build takes
# about a third less time than with full debug information.
optimize="-O2 -g1 -DNDEBUG"
flags=(-DPOWERFIT_WERROR=ON -DPOWERFIT_REQUIRE_BACKENDS=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-sanitize
  # -O1 under the sanitizers: at -O2 -g a file of the tests took twice as long to build or more.
  optimize="-O1 -g1 -DNDEBUG"
  flags+=(-DPOWERFIT_SANITIZE=ON -DPOWERFIT_BUILD_BENCHMARKS=OFF)
fi
flags+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$optimize" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$optimize")
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${flags[@]}"
cmake --build "$build" -j "$(nproc)"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
