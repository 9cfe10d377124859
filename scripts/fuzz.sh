#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang under AddressSanitizer and UBSan and runs each
# from its seed corpus in fuzz/corpus for SECONDS (default 60). A crash fails the script and
# leaves the input in build-fuzz/crashes; make it a regression test (and a corpus file).
# usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CXX=clang++ cmake -S fuzz -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build-fuzz -j "$(nproc)"
mkdir -p build-fuzz/crashes
export POWERFIT_FUZZ_TREE=$PWD/build-fuzz/tree
for harness in npy counts options procfs; do
  work=build-fuzz/corpus-$harness
  mkdir -p "$work"
  echo "fuzz_$harness: ${seconds} s"
  build-fuzz/fuzz_$harness -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/crashes/$harness- "$work" fuzz/corpus/$harness 2>&1 |
    grep -E "^stat::number_of_executed_units|^stat::new_units_added|ERROR|SUMMARY|Test unit written" || true
  if ls build-fuzz/crashes/$harness-* > /dev/null 2>&1; then
    echo "fuzz_$harness found a failing input: $(ls build-fuzz/crashes/$harness-*)" >&2
    exit 1
  fi
done
