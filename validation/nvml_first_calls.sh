#!/usr/bin/env bash
# What NVML's reads cost the first time a process makes them, in fresh processes
# (validation/nvml_first_calls.c): each ORDER of reads ROUNDS times, interleaved, and per position
# the median CPU (µs) of the calling thread. Prints one table per order.
# usage: validation/nvml_first_calls.sh OUT [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
rounds=${2:-7}
mkdir -p "$out"
work=$(mktemp -d)
cc -O2 validation/nvml_first_calls.c -o "$work/first" -ldl -lpthread
orders=(
  "E P F186 U C T M L R E"                     # powerfit's reads on one thread: opening, a tick, the end
  "E | t:P t:F186 t:U t:C t:T t:M t:L t:R | t:E"  # as powerfit's threads make them: opening, sampler, poller
  "P U M E F186 C T"                            # nvidia-smi's reads first
  "U F186 E P C T"
  "F186 U E P C T"
  "F83+186 P U C T M E"                         # the counter and the instant power in one call on opening
  "E E E F186 F186"
  "C T P F186 U E"
)
for ((r = 0; r < rounds; r++)); do
  for o in "${!orders[@]}"; do
    # shellcheck disable=SC2086
    "$work/first" ${orders[$o]} > "$out/order$o-round$r.txt"
  done
done
python3 - "$out" "$rounds" "${orders[@]}" <<'PY'
import statistics, sys
out, rounds, orders = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for o, order in enumerate(orders):
    runs = [open(f"{out}/order{o}-round{r}.txt").read().split("\n") for r in range(rounds)]
    runs = [[line.split() for line in run if line.strip()] for run in runs]
    print(f"== {order}   (median CPU µs of {rounds} fresh processes; min, max)")
    for i, row in enumerate(runs[0]):
        values = [float(run[i][1]) for run in runs]
        print(f"  {row[0]:10s} {statistics.median(values):9.1f}   ({min(values):.1f}, {max(values):.1f})  rc {row[2]}")
PY
