#!/usr/bin/env bash
# One call of the lent GPU machine for the sampling-cost and step-window checks:
#   validation/gpu_cost_and_windows.sh OUT [COST_ROUNDS] [STEP_ROUNDS]
# builds (scripts/build-cuda.sh) unless built, then
#   validation/sampling_cost_gpu.py   CPU per sample of nvidia-smi, powerfit --sources nvml, powerfit (all), 100 and 10 ms
#   validation/step_window_gpu.py     windows on a power step against a separate NVML reader
# and prints both tables last. SCHEDULES="default;aim=on;energy=1s,aim=on" (POWERFIT_NVML_SCHEDULE
# values) runs both under each schedule, side by side in the same call.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
cost_rounds=${2:-3}
step_rounds=${3:-3}
mkdir -p "$out"
if [ ! -x build-cuda/src/powerfit ]; then
  scripts/build-cuda.sh build-cuda > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
fi
powerfit=build-cuda/src/powerfit
nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv | tee "$out/gpu.txt"
"$powerfit" sensors > "$out/sensors.txt" 2>&1 || true
python3 validation/sampling_cost_gpu.py "$powerfit" "$out/cost" "$cost_rounds" 10 100 10 > "$out/cost.txt"
python3 validation/step_window_gpu.py "$powerfit" "$out/step" "$step_rounds" > "$out/step.txt"
grep -E "^nvml|^procfs.process" "$out/sensors.txt" || true
cat "$out/cost.txt" "$out/step.txt"
