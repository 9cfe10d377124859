#!/usr/bin/env bash
# Installs the dependencies, builds powerfit, and shows the main job on a bundled workload:
# what this machine can measure, then a measured run of a two-thread CPU load recorded in
# demo.db, then the first rows of its tidy export.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
./build/src/powerfit sensors
./build/src/powerfit run -i 50ms -o demo.db --label demo -- ./build/tests/cpu_burner 1.5 2
./build/src/powerfit export demo.db --format csv | head -n 8
