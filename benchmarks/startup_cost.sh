#!/usr/bin/env bash
# CPU and page faults of `powerfit run -q --sources nvml -- true` (start-up and shut-down alone) for
# two builds of powerfit, on the test suite's fake NVML (its calls cost nothing, so what is left is
# powerfit's own start: loading, the database, the sampler's buffers, the threads). ROUNDS
# interleaved rounds; prints per binary the median task-clock (ms) and page faults, and their ratio.
# With SECONDS, the command is `sleep SECONDS` instead, at 100 ms: a whole run's CPU, start-up,
# ticks and end, on a simulated card (FAKE_NVML_WATTS=73, FAKE_NVML_WIGGLE=0.5: its power reading
# changes at every refresh, as a real card's does, so that the refresh clock locks and the watch aims).
#   benchmarks/startup_cost.sh FAKE_NVML_LIBRARY BEFORE_BINARY AFTER_BINARY [ROUNDS [SECONDS]]
set -euo pipefail
export POWERFIT_NVML_LIBRARY=${1:?usage: benchmarks/startup_cost.sh FAKE_NVML_LIBRARY BEFORE AFTER [ROUNDS]}
before=${2:?} after=${3:?} rounds=${4:-21} seconds=${5:-}
command=(true)
if [ -n "$seconds" ]; then
  command=(sleep "$seconds")
  export FAKE_NVML_WATTS=73 FAKE_NVML_WIGGLE=0.5
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 0; r < rounds; r++)); do
  for variant in before after; do
    binary=$before
    [ "$variant" = after ] && binary=$after
    rm -f "$work/runs.db"
    perf stat -x, -e task-clock,page-faults -o "$work/$variant-$r.csv" \
      "$binary" run -q -i 100ms --sources nvml -o "$work/runs.db" -- "${command[@]}" 2>/dev/null  # (`true`'s warning: shorter than a tick)
  done
done
python3 "$(dirname "$0")/perf_stat_medians.py" "$work" "$rounds" before after task-clock:" ms" page-faults
