#!/usr/bin/env bash
# CPU of `powerfit run --sources nvml` with the power watched every 10 ms against aimed watching
# (POWERFIT_NVML_SCHEDULE aim=on), on the test suite's fake NVML simulating a card at 70 W whose
# reading changes at every 100 ms refresh (its calls cost nothing, so what is left is the poller's
# wake-ups and sampling itself). ROUNDS interleaved rounds of SECONDS each;
# prints per variant the median task-clock (ms) and context switches, and their ratio.
#   benchmarks/aimed_watch_cost.sh BUILD_DIR [ROUNDS] [SECONDS]
set -euo pipefail
build=${1:?usage: benchmarks/aimed_watch_cost.sh BUILD_DIR [ROUNDS] [SECONDS]}
rounds=${2:-5}
seconds=${3:-10}
export POWERFIT_NVML_LIBRARY=$build/tests/fake_nvml/libnvidia-ml.so.1 FAKE_NVML_WATTS=70 FAKE_NVML_WIGGLE=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 0; r < rounds; r++)); do
  for variant in dense aimed; do
    schedule=""
    [ "$variant" = aimed ] && schedule="aim=on"
    POWERFIT_NVML_SCHEDULE=$schedule perf stat -x, -e task-clock,context-switches -o "$work/$variant-$r.csv" \
      "$build/src/powerfit" run -q -i 100ms --sources nvml -o "$work/runs.db" -- sleep "$seconds"
  done
done
python3 "$(dirname "$0")/perf_stat_medians.py" "$work" "$rounds" dense aimed task-clock:" ms" context-switches
