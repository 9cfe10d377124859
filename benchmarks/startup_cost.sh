#!/usr/bin/env bash
# CPU and page faults of `powerfit run -q --sources nvml -- true` (start-up and shut-down alone) for
# two builds of powerfit, on the test suite's fake NVML (its calls cost nothing, so what is left is
# powerfit's own start: loading, the database, the sampler's buffers, the threads). ROUNDS
# interleaved rounds; prints per binary the median task-clock (ms) and page faults, and their ratio.
#   benchmarks/startup_cost.sh FAKE_NVML_LIBRARY BEFORE_BINARY AFTER_BINARY [ROUNDS]
set -euo pipefail
export POWERFIT_NVML_LIBRARY=${1:?usage: benchmarks/startup_cost.sh FAKE_NVML_LIBRARY BEFORE AFTER [ROUNDS]}
before=${2:?} after=${3:?} rounds=${4:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for ((r = 0; r < rounds; r++)); do
  for variant in before after; do
    binary=$before
    [ "$variant" = after ] && binary=$after
    rm -f "$work/runs.db"
    perf stat -x, -e task-clock,page-faults -o "$work/$variant-$r.csv" \
      "$binary" run -q --sources nvml -o "$work/runs.db" -- true 2>/dev/null  # (its warning: the command is shorter than a tick)
  done
done
python3 - "$work" "$rounds" <<'PY'
import glob, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
table = {}
for variant in ("before", "after"):
    clock, faults = [], []
    for path in glob.glob(os.path.join(work, f"{variant}-*.csv")):
        for line in open(path):
            fields = line.strip().split(",")
            if len(fields) > 2 and fields[2] == "task-clock": clock.append(float(fields[0]))
            if len(fields) > 2 and fields[2] == "page-faults": faults.append(float(fields[0]))
    table[variant] = (statistics.median(clock), statistics.median(faults))
    print(f"{variant:6} task-clock median {table[variant][0]:6.1f} ms (range {min(clock):.1f} to {max(clock):.1f})"
          f"   page faults {table[variant][1]:5.0f}")
print(f"after/before: task-clock {table['after'][0] / table['before'][0]:.2f}, "
      f"page faults {table['after'][1] / table['before'][1]:.2f} ({rounds} interleaved rounds)")
PY
