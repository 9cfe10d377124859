#!/usr/bin/env bash
# Installs the dependencies, builds powerfit, and shows the main job on bundled workloads:
# what this machine can measure; a measured run of a two-thread CPU load; three scored runs of
# a workload that reports its inferences (idle baseline first), ranked; the tidy export in
# demo.csv, whose first rows are shown. Everything is recorded in demo.db.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$(nproc)"
./build/src/powerfit sensors
./build/src/powerfit run -i 50ms -o demo.db --label demo -- ./build/tests/cpu_burner 1.5 2
./build/src/powerfit run -q -i 50ms -o demo.db --label demo-scored --baseline 1s -r 3 -- \
  python3 examples/report_counts.py 2000 1900 example-model 0.5
./build/src/powerfit score demo.db
./build/src/powerfit export demo.db --format csv -o demo.csv
head -n 8 demo.csv
