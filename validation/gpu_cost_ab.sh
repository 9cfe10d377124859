#!/usr/bin/env bash
# One call of the lent GPU machine that weighs this build's sampling cost against an earlier
# build's, side by side beside nvidia-smi:
#   1. the energy counter's reads in 12 s of an idle `run --sources nvml`, counted and timed by
#      validation/nvml_count_shim.c, for each build (and under each of SCHEDULES, this build)
#   2. sampling_cost_gpu.py: the whole tool's CPU per sample at 100 ms, 20 s runs, start-up
#      included, COST_ROUNDS interleaved rounds, both builds, and validation/nvml_floor.c: NVML's
#      reads alone, the least any sampler of the same fields pays
#   3. thread_cost.py: the steady state thread by thread, THREAD_ROUNDS interleaved rounds of 12 s,
#      with `--sources nvml` and with every source
# and prints the tables last. The earlier build's source is a directory holding its tree (made
# here by `git archive REV | tar -x -C DIR`), built by its own scripts/build-cuda.sh; with
# BASELINE_DIR `-`, this build alone is measured beside nvidia-smi.
# usage: [SCHEDULES="default;..."] validation/gpu_cost_ab.sh OUT BASELINE_DIR|- [COST_ROUNDS] [THREAD_ROUNDS]
# (carry .deps: scripts/build-cuda.sh takes its headers from there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
baseline_dir=$2
cost_rounds=${3:-2}
thread_rounds=${4:-2}
export SCHEDULES=${SCHEDULES:-default}
mkdir -p "$out"
POWERFIT_CUDA_TARGETS=powerfit scripts/build-cuda.sh build-cuda > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
powerfit=$PWD/build-cuda/src/powerfit
compared="nvidia-smi"
if [ "$baseline_dir" != - ]; then
  ln -sfn "$PWD/.deps" "$baseline_dir/.deps"
  POWERFIT_CUDA_TARGETS=powerfit "$baseline_dir/scripts/build-cuda.sh" build-cuda > "$out/build-baseline.log" 2>&1 ||
    { tail -30 "$out/build-baseline.log"; exit 1; }
  export BASELINE=$baseline_dir/build-cuda/src/powerfit
  compared="nvidia-smi;baseline"
fi
nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv,noheader > "$out/gpu.txt"

work=$(mktemp -d)
shim=$work/nvml_count.so
cc -shared -fPIC -O2 validation/nvml_count_shim.c -o "$shim" -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
count_reads() {  # LABEL BINARY SCHEDULE
  echo "== $1"
  NVML_COUNT_VALUES=1 POWERFIT_NVML_SCHEDULE="$3" POWERFIT_NVML_LIBRARY=$shim "$2" run -q --sources nvml -i 100ms \
    -o "$work/shim.db" -- sleep 12 2>&1 | grep nvml_count
}
{
  [ -z "${BASELINE:-}" ] || count_reads baseline "$BASELINE" ""
  IFS=';' read -ra schedules <<< "$SCHEDULES"
  for schedule in "${schedules[@]}"; do
    value=$schedule
    [ "$value" = default ] && value=
    count_reads "$schedule" "$powerfit" "$value"
  done
} > "$out/counter-reads.txt"

cc -O2 validation/nvml_floor.c -o "$work/nvml_floor" -ldl
FLOOR=$work/nvml_floor python3 validation/sampling_cost_gpu.py "$powerfit" "$out/cost" "$cost_rounds" 20 100 > "$out/cost.txt"
rm -rf "$out/cost"
SCHEDULES="$compared;$SCHEDULES" python3 validation/thread_cost.py "$powerfit" nvml "$thread_rounds" 12 100 > "$out/threads.txt"
SCHEDULES="$compared;$SCHEDULES" python3 validation/thread_cost.py "$powerfit" all "$thread_rounds" 12 100 >> "$out/threads.txt"

cat "$out/gpu.txt"
python3 validation/counter_bursts.py "$out/counter-reads.txt"
cat "$out/cost.txt" "$out/threads.txt"
