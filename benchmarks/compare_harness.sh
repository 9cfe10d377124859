#!/usr/bin/env bash
# The cost of powerfit's bench harness (sampler at 100 ms, recording, scoring) against a bare
# LibTorch loop over the same model and batches, and Python PyTorch against powerfit's C++ loop.
# Runs are interleaved (bare, powerfit, python; ROUNDS times) and the medians compared.
# usage: benchmarks/compare_harness.sh [MODEL] [ROUNDS] [SECONDS]   (after scripts/test.sh built build/)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/zoo/resnet.pt}
rounds=${2:-5}
seconds=${3:-3}
data=models/zoo/digits-test
threads=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for batch in 1 64; do
  : > "$scratch/bare" ; : > "$scratch/powerfit" ; : > "$scratch/python"
  for round in $(seq "$rounds"); do
    build/benchmarks/bare_torch_loop "$model" "$data" "$batch" "$seconds" "$threads" >> "$scratch/bare"
    build/src/powerfit -q bench -m "$model" -d "$data" -b "$batch" --threads "$threads" --min-time "${seconds}s" \
      --baseline 0 -o "$scratch/runs.db" --summary-json "$scratch/bench.json"
    /usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['repeats'][0]; print(r['inferences']/r['inference_s'])" \
      "$scratch/bench.json" >> "$scratch/powerfit"
    /usr/bin/python3 benchmarks/python_torch_loop.py "$model" "$data" "$batch" "$seconds" "$threads" >> "$scratch/python"
  done
  /usr/bin/python3 - "$scratch" "$batch" "$model" <<'PY'
import statistics, sys
scratch, batch, model = sys.argv[1], sys.argv[2], sys.argv[3]
read = lambda name: [float(x) for x in open(f"{scratch}/{name}")]
bare, powerfit, python = (statistics.median(read(n)) for n in ("bare", "powerfit", "python"))
print(f"{model} batch {batch:>2}: bare LibTorch {bare:10.1f}/s  powerfit bench {powerfit:10.1f}/s "
      f"({100 * (bare - powerfit) / bare:+.2f}% slower)  Python {python:10.1f}/s (powerfit / Python = {powerfit / python:.2f}x)")
PY
done
