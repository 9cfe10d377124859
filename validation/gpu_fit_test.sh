#!/usr/bin/env bash
# The GPU fit test, in stages that each fit one call of the lent machine:
#   validation/gpu_fit_test.sh setup OUT        build against the machine's CUDA PyTorch, export the networks
#   validation/gpu_fit_test.sh bench BATCH OUT  bench every network at BATCH (10 s passes, 3 repeats)
#   validation/gpu_fit_test.sh validate OUT     joules against pynvml and nvidia-smi; slowdown; C++ vs Python
# Every stage first does whatever setup is missing, so a fresh machine can start at any stage.
# The database grows in $WORK/h100.db and is copied to OUT after each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=$1
shift
work=${POWERFIT_GPU_WORK:-/tmp/powerfit-gpu}
mkdir -p "$work"
powerfit=build-cuda/src/powerfit

setup() {
  if [ ! -x "$powerfit" ] || [ ! -f build-cuda/plugins/libpowerfit_libtorch.so ]; then
    scripts/build-cuda.sh build-cuda > "$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  fi
  [ -f "$work/models/models.json" ] || python3 validation/export_timm.py "$work/models"
}

bench() {
  local batch=$1 out=$2
  python3 - "$work/models/models.json" > "$work/models.txt" <<'PY'
import json, sys
for name, m in json.load(open(sys.argv[1])).items():
    print(name, m["input_size"], m["declared_top1"])
PY
  while read -r name size top1; do
    "$powerfit" -q bench -m "$work/models/$name.pt" --name "$name" -d "synthetic:3x${size}x${size}" --limit 256 \
      -b "$batch" --device cuda --accuracy "$top1" --min-time 10s -r 3 --baseline 3s -o "$work/h100.db" \
      --summary-json "$work/$name-b$batch.json"
    echo "benched $name at batch $batch"
  done < "$work/models.txt"
  cp "$work/h100.db" "$out/h100.db"
  "$powerfit" score "$work/h100.db" | tee "$out/score-b$batch.txt"
}

setup
case $stage in
  setup) nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv ;;
  bench) bench "$1" "$2" ;;
  validate) python3 validation/validate_bench_gpu.py "$powerfit" "$work" "$1" ;;
  *) echo "unknown stage $stage" >&2; exit 2 ;;
esac
