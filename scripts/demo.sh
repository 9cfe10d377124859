#!/usr/bin/env bash
# Installs the dependencies, builds powerfit, and runs the main job on the bundled default:
# `powerfit demo` benches every model of the bundled zoo (five networks trained on scikit-learn's
# digits) on every backend built here (LibTorch and OpenCV DNN), each after an idle baseline,
# with repeats, and prints the ranking by the composite score. Everything lands in demo.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOWERFIT_REQUIRE_BACKENDS=ON
cmake --build build -j "$(nproc)"
./build/src/powerfit sensors
./build/src/powerfit demo -o demo.db
