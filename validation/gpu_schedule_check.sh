#!/usr/bin/env bash
# One call of the lent GPU machine that weighs NVML schedules against each other, each part under
# every schedule of SCHEDULES (POWERFIT_NVML_SCHEDULE values, "default" for none), side by side:
#   1. the counter's reads, counted and timed by validation/nvml_count_shim.c (a 12 s run each):
#      how many, and how many in each burst (a burst is a watch of the counter); each read's
#      length and change in counter-reads.txt; the power's reads in power-sK.txt (K the
#      schedule's place), each stretch of the watch told by validation/watch_pairs.py
#   2. sampling_cost_gpu.py: CPU per sample beside nvidia-smi, COST_ROUNDS rounds of 20 s at 100 ms
#      (0: left out, for a call that measures the windows alone)
#   3. step_window_gpu.py with bench's own marked windows (ResNet-50, batch 64) against a separate
#      reader of the counter, STEP_ROUNDS rounds, then counter_dating.py on them
# and prints the three tables last; the step run's database and witness come back in step.tar.gz.
# usage: SCHEDULES="default;energy=5s" validation/gpu_schedule_check.sh OUT [COST_ROUNDS] [STEP_ROUNDS]
# (carry .deps: scripts/build-cuda.sh takes its headers from there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
cost_rounds=${2:-1}
step_rounds=${3:-2}
export SCHEDULES=${SCHEDULES:-default}
IFS=';' read -ra schedules <<< "$SCHEDULES"
# A call of the lent machine stops at 600 s, and what is cut off is lost. From the H100 calls of
# 2026-12-06: build and setup about 90 s, the counter's reads 13 s a schedule, a cost round 21 s
# for nvidia-smi and for each schedule's two variants, a step run about 12 s (two a round and
# schedule, at 100 and 50 ms).
n=${#schedules[@]}
estimate=$((90 + 13 * n + cost_rounds * (1 + 2 * n) * 21 + step_rounds * n * 2 * 12))
if [ "$estimate" -gt "${CALL_LIMIT_S:-570}" ]; then
  echo "error: about ${estimate} s for ${n} schedule(s), ${cost_rounds} cost and ${step_rounds} step round(s), past a call's ${CALL_LIMIT_S:-570} s; give fewer rounds or schedules (or CALL_LIMIT_S)" >&2
  exit 2
fi
echo "about ${estimate} s"
work=${POWERFIT_GPU_WORK:-$PWD/build-cuda/fitwork}
mkdir -p "$out"
FIT_SETTLE=${FIT_SETTLE:-2s} POWERFIT_GPU_WORK=$work validation/gpu_fit_test.sh setup "$out/setup" resnet50 > "$out/setup.log" 2>&1 ||
  { tail -40 "$out/setup.log"; exit 1; }
rm -f "$out/setup/bin.tar"  # the binaries are rebuilt in each call
powerfit=$PWD/build-cuda/src/powerfit
export POWERFIT_PLUGIN_DIR=$PWD/build-cuda/plugins
nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader > "$out/gpu.txt"

shim=$work/nvml_count.so
cc -shared -fPIC -O2 validation/nvml_count_shim.c -o "$shim" -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
k=0
for schedule in "${schedules[@]}"; do
  value=$schedule
  [ "$value" = default ] && value=
  echo "== $schedule"
  NVML_COUNT_VALUES=1 NVML_COUNT_POWER=1 POWERFIT_NVML_SCHEDULE="$value" POWERFIT_NVML_LIBRARY=$shim "$powerfit" run -q --sources nvml -i 100ms \
    -o "$work/shim.db" -- sleep 12 2> "$out/power-s$k.txt"
  grep nvml_count "$out/power-s$k.txt"
  k=$((k + 1))
done > "$out/counter-reads.txt"
python3 validation/watch_pairs.py "$out"/power-s*.txt > "$out/watch-pairs.txt"

if [ "$cost_rounds" -gt 0 ]; then
  python3 validation/sampling_cost_gpu.py "$powerfit" "$out/cost" "$cost_rounds" 20 100 > "$out/cost.txt"
  rm -f "$out/cost/"*.csv "$out/cost/cost.db"
else
  echo "sampling cost: not measured in this call (COST_ROUNDS 0)" > "$out/cost.txt"
fi
BENCH="$work/models/resnet50.pt synthetic:3x224x224 64" python3 validation/step_window_gpu.py "$powerfit" "$out/step" "$step_rounds" > "$out/step.txt" ||
  echo "step_window_gpu.py failed; its files are in step.tar.gz" >> "$out/step.txt"
python3 validation/counter_dating.py "$out/step" > "$out/counter-dating.txt" || true

cat "$out/gpu.txt"
python3 validation/counter_bursts.py "$out/counter-reads.txt"
cat "$out/watch-pairs.txt"
tail -n 12 "$out/counter-dating.txt"
cat "$out/cost.txt"
tail -n 30 "$out/step.txt"
# Few files come back from the lent machine: the step run's database and witness, and the setup's
# files, travel as one archive each.
tar -czf "$out/step.tar.gz" -C "$out" step && rm -rf "$out/step"
tar -czf "$out/setup.tar.gz" -C "$out" setup setup.log && rm -rf "$out/setup" "$out/setup.log"
