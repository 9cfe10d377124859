#!/usr/bin/env bash
# One call of the lent GPU machine that says where NVML's share of sampling's CPU goes: what each
# read costs and what a field value's timestamp says (validation/nvml_probe.c), then every NVML
# call of `powerfit run` timed by validation/nvml_time_shim.c, for `-- true` (start-up and
# shut-down) and a 20 s idle run at 100 ms, `--sources nvml` and all sources.
# usage: validation/nvml_breakdown.sh OUT    (carry .deps: scripts/build-cuda.sh takes its headers from there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
mkdir -p "$out"
work=$(mktemp -d)
cc -O2 validation/nvml_probe.c -o "$work/probe" -ldl
cc -shared -fPIC -O2 validation/nvml_time_shim.c -o "$work/time.so" -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
"$work/probe" > "$out/probe.txt" 2>&1
POWERFIT_CUDA_TARGETS=powerfit scripts/build-cuda.sh build-cuda > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
powerfit=$PWD/build-cuda/src/powerfit
timed() {  # LABEL ARGS...
  local label=$1
  shift
  echo "== $label"
  /usr/bin/time -f "whole process: %U s user, %S s system" env POWERFIT_NVML_LIBRARY="$work/time.so" "$powerfit" run -q "$@" 2>&1 |
    grep -E 'nvml_time|whole process'
}
{
  timed "--sources nvml -- true" --sources nvml -o "$work/t.db" -- true
  timed "--sources nvml -- true (again)" --sources nvml -o "$work/t.db" -- true
  timed "--sources nvml, 20 s at 100 ms" --sources nvml -i 100ms -o "$work/t.db" -- sleep 20
  timed "all sources, 20 s at 100 ms" -i 100ms -o "$work/t.db" -- sleep 20
  echo "== nvidia-smi, one query"
  /usr/bin/time -f "whole process: %U s user, %S s system" nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu,memory.used --format=csv,noheader 2>&1
} > "$out/shim.txt"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
cat "$out/probe.txt" "$out/shim.txt"
