#!/usr/bin/env bash
# One call of the lent GPU machine that says where the CPU of `powerfit run` with every source goes,
# beyond NVML: each host file's read (validation/proc_read_cost.c), the channels each source
# records, start-up and shut-down with every source (each NVML call timed by
# validation/nvml_time_shim.c), and the steady state thread by thread (thread_cost.py) with every
# source, with NVML alone, and with each host source alone, beside nvidia-smi.
# usage: validation/host_sources_cost.sh OUT [ROUNDS]   (carry .deps: scripts/build-cuda.sh takes its headers from there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
rounds=${2:-2}
mkdir -p "$out"
POWERFIT_CUDA_TARGETS=powerfit scripts/build-cuda.sh build-cuda > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
powerfit=$PWD/build-cuda/src/powerfit
work=$(mktemp -d)
cc -O2 validation/proc_read_cost.c -o "$work/read_cost"
cc -shared -fPIC -O2 validation/nvml_time_shim.c -o "$work/time.so" -Wl,--no-as-needed -l:libnvidia-ml.so.1 -ldl
{
  nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  echo "cores: $(nproc); disks: $(ls /sys/block | tr '\n' ' '); interfaces: $(ls /sys/class/net | tr '\n' ' ')"
  "$powerfit" sensors
} > "$out/sensors.txt" 2>&1
"$work/read_cost" /proc/stat /proc/meminfo /proc/diskstats /proc/net/dev /sys/block/*/stat /proc/self/stat \
  /proc/self/io /proc/self/statm /proc/loadavg > "$out/reads.txt" 2>&1
{
  for sources in nvml all; do
    echo "== start-up and shut-down, --sources $sources -- true"
    args=(--sources "$sources")
    [ "$sources" = all ] && args=()
    /usr/bin/time -f "whole process: %U s user, %S s system" env POWERFIT_NVML_LIBRARY="$work/time.so" \
      "$powerfit" run -q "${args[@]}" -o "$work/t.db" -- true 2>&1 | grep -E 'nvml_time|whole process'
  done
} > "$out/startup-shim.txt"
python3 - "$powerfit" "$work" > "$out/startup.txt" <<'PY'
import os, statistics, subprocess, sys
powerfit, work = sys.argv[1], sys.argv[2]
for sources in ("nvml", "all"):
    cpu = []
    for i in range(9):
        command = [powerfit, "run", "-q", "-o", os.path.join(work, f"s{i}.db")]
        command += ["--sources", sources] if sources != "all" else []
        process = subprocess.Popen(command + ["--", "true"], stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        cpu.append(1e3 * (usage.ru_utime + usage.ru_stime))
    print(f"start-up and shut-down, --sources {sources}: median {statistics.median(cpu):.1f} ms of CPU "
          f"({' '.join(f'{v:.1f}' for v in cpu)})")
PY
{
  SCHEDULES="nvidia-smi;default" python3 validation/thread_cost.py "$powerfit" all "$rounds" 12 100
  python3 validation/thread_cost.py "$powerfit" nvml "$rounds" 12 100 | tail -1
  for source in procfs.cpu procfs.memory procfs.disk procfs.net procfs.process estimate.cpu; do
    echo "$source: $(python3 validation/thread_cost.py "$powerfit" "$source" 1 12 100 | tail -1)"
  done
} > "$out/threads.txt"
cat "$out/reads.txt" "$out/startup.txt" "$out/threads.txt"
