#!/usr/bin/env bash
# The fit test on a GPU machine, in stages that each fit one call of the lent machine:
#   validation/gpu_fit_test.sh setup OUT                         build, export the networks
#   validation/gpu_fit_test.sh bench OUT BATCH DEVICE [NET...]   bench the networks (all: models.json)
#   validation/gpu_fit_test.sh validate OUT [PARTS ROUNDS SECONDS]  joules against pynvml and
#                                                                nvidia-smi; slowdown; C++ vs Python
#   validation/gpu_fit_test.sh decay OUT SECONDS                 the GPU's power as it idles after work
# Every stage first does whatever setup is missing, so a fresh machine can start at any stage.
# The build's binaries are copied to OUT/bin (powerfit, the LibTorch plugin, the bare loop); carry
# them back as .deps/bin and the next call skips the build. The database grows in $WORK/fit.db and
# is copied to OUT after each network; the summaries go to OUT/summaries.tar (few files come back). The settings (FIT_MIN_TIME, FIT_REPEATS, FIT_SETTLE,
# FIT_BASELINE, FIT_WARMUP, FIT_LIMIT: synthetic samples a pass) are the same on every machine unless changed here.
# FIT_MODELS_FROM=DIR: the .pt files in DIR replace this call's exports of the same name, so that
# two machines bench the same files where their exports differ (docs/results-gpu.md).
set -euo pipefail
cd "$(dirname "$0")/.."
stage=$1
out=$2
shift 2
work=${POWERFIT_GPU_WORK:-/tmp/powerfit-gpu}
mkdir -p "$work/json" "$out"
min_time=${FIT_MIN_TIME:-6s}
repeats=${FIT_REPEATS:-3}
settle=${FIT_SETTLE:-30s}
baseline=${FIT_BASELINE:-3s}
warmup=${FIT_WARMUP:-10}
limit=${FIT_LIMIT:-256}

if [ -x .deps/bin/src/powerfit ]; then
  build=$PWD/.deps/bin
else
  build=$PWD/build-cuda
fi
powerfit=$build/src/powerfit
export POWERFIT_PLUGIN_DIR=$build/plugins

setup() {
  if [ ! -x "$powerfit" ] || [ ! -f "$POWERFIT_PLUGIN_DIR/libpowerfit_libtorch.so" ]; then
    local start=$SECONDS
    POWERFIT_CUDA_TARGETS="powerfit powerfit_libtorch bare_torch_loop" scripts/build-cuda.sh build-cuda > "$work/build.log" 2>&1 ||
      { tail -40 "$work/build.log"; exit 1; }
    echo "built in $((SECONDS - start)) s"
    tar -cf "$out/bin.tar" --transform 's|^build-cuda|bin|' build-cuda/src/powerfit build-cuda/plugins/libpowerfit_libtorch.so \
      build-cuda/benchmarks/bare_torch_loop
  fi
  if [ ! -f "$work/models/models.json" ]; then
    # The machine is idle before anything has run on its GPU: its floor, measured once per call.
    "$powerfit" -q run --baseline 5s --settle "$settle" --label "idle floor" -o "$work/idle.db" \
      --summary-json "$out/idle-floor.json" -- true || true
    python3 validation/export_timm.py "$work/models" "$@"
    if [ -n "${FIT_MODELS_FROM:-}" ]; then
      for file in "$FIT_MODELS_FROM"/*.pt; do
        if [ -f "$work/models/$(basename "$file")" ]; then
          cp "$file" "$work/models/"
          echo "$(basename "$file") taken from $FIT_MODELS_FROM"
        fi
      done
    fi
    # The exports' hashes, to compare across machines: the numpy draw made the same eight files on
    # an H200 and an H100 machine, but one other H100 machine exported the MobileNets differently.
    (cd "$work/models" && sha256sum ./*.pt) > "$out/model-sha256.txt"
  fi
}

bench() {
  local batch=$1 device=$2
  shift 2
  python3 - "$work/models/models.json" "$@" > "$work/models.txt" <<'PY'
import json, sys
chosen = sys.argv[2:]
for name, m in json.load(open(sys.argv[1])).items():
    if not chosen or name in chosen:
        print(name, m["input_size"], m["declared_top1"])
PY
  # On the CPU the idle GPU beside it is left out: its draw is not the CPU's work (RAPL is added
  # where the machine has it; else the CPU's energy is ESTIMATED, and labelled so).
  local sources=()
  if [ "$device" = cpu ]; then
    local chosen=procfs.cpu,procfs.memory,procfs.disk,procfs.net,procfs.process,estimate.cpu
    "$powerfit" sensors | grep -q '^rapl  *available' && chosen=$chosen,rapl
    sources=(--sources "$chosen")
  fi
  while read -r name size top1; do
    "$powerfit" -q bench -m "$work/models/$name.pt" --name "$name" -d "synthetic:3x${size}x${size}" --limit "$limit" \
      -b "$batch" --device "$device" "${sources[@]}" --accuracy "$top1" --min-time "$min_time" -r "$repeats" --warmup "$warmup" \
      --baseline "$baseline" --settle "$settle" -o "$work/fit.db" --summary-json "$work/json/$name-$device-b$batch.json"
    cp "$work/fit.db" "$out/fit.db"
    echo "benched $name at batch $batch on $device"
  done < "$work/models.txt"
  "$powerfit" score "$work/fit.db" | tee "$work/json/score.txt"
  tar -cf "$out/summaries.tar" -C "$work" json
}

decay() {
  local seconds=$1
  "$powerfit" -q run -i 100ms --sources nvml --label "idle after work" -o "$work/decay.db" -- sleep "$seconds"
  cp "$work/decay.db" "$out/decay.db"
  python3 - "$work/decay.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("SELECT max(id) FROM runs").fetchone()[0]
rows = db.execute("""SELECT s.t_ns, s.value FROM samples s JOIN channels c ON c.id = s.channel_id
                     WHERE s.run_id = ? AND c.name = 'gpu0.power' ORDER BY s.t_ns""", (run,)).fetchall()
print("seconds after the work  gpu0.power W (mean of the second)")
for second in range(0, int(rows[-1][0] / 1e9) + 1, 2):
    values = [v for t, v in rows if second <= t / 1e9 < second + 1]
    if values:
        print(f"{second:6d} {sum(values) / len(values):8.1f}")
PY
}

case $stage in
  setup) setup "$@"; nvidia-smi --query-gpu=name,driver_version,power.limit --format=csv ;;
  decay) setup resnet50; decay "$@" ;;
  bench) setup "${@:3}"; bench "$@" ;;
  validate) setup; python3 validation/validate_bench_gpu.py "$powerfit" "$work" "$out" "$@" ;;
  *) echo "unknown stage $stage; use setup, bench or validate" >&2; exit 2 ;;
esac
