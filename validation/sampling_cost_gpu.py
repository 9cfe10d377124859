"""What sampling costs in CPU, beside nvidia-smi: each tool samples an idle GPU for SECONDS at each
interval, interleaved over ROUNDS rounds, and its whole CPU time (user + system, its threads and
children) is divided by the samples it took.

  nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu,memory.used -lms N   (samples: lines)
  powerfit run -q --sources nvml -i N -- sleep SECONDS                             (samples: ticks)
  powerfit run -q -i N -- sleep SECONDS             (every source available by default)

  powerfit run -q --sources procfs.process (or procfs.cpu) ...                  (parts of the whole)
  powerfit run -q --sources nvml -- true, nvidia-smi --query-gpu=... once       (start-up and shut-down, ms)

With FLOOR set to validation/nvml_floor.c built, two more rows: NVML's reads alone, with the counter
read at the ends and without it (the least any sampler of those fields pays, CPU over its ticks).

With SCHEDULES set ("energy=1s;energy=2s,watch_for=600ms": a list of POWERFIT_NVML_SCHEDULE values,
"default" for none), the powerfit rows are repeated under each schedule. With BASELINE set to another
powerfit binary (an earlier build), its two rows are measured too, in the same rounds.

usage: [SCHEDULES=...] python3 validation/sampling_cost_gpu.py POWERFIT OUT_DIR [ROUNDS] [SECONDS] [INTERVALS_MS...]"""
import os
import sqlite3
import statistics
import subprocess
import sys
import time

POWERFIT, OUT = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 20.0
INTERVALS = [int(v) for v in sys.argv[5:]] or [100, 10]
DB = os.path.join(OUT, "cost.db")


def nvidia_smi(interval_ms):
    trace = os.path.join(OUT, f"nvidia-smi-{interval_ms}ms.csv")
    with open(trace, "wb") as out:
        process = subprocess.Popen(["nvidia-smi", "--query-gpu=timestamp,power.draw,utilization.gpu,memory.used",
                                    "--format=csv,noheader", f"-lms={interval_ms}"], stdout=out)
        time.sleep(SECONDS)
        process.terminate()
        _, _, usage = os.wait4(process.pid, 0)
    with open(trace, "rb") as lines:
        return usage.ru_utime + usage.ru_stime, lines.read().count(b"\n")


SCHEDULES = [s for s in os.environ.get("SCHEDULES", "default").split(";") if s]


def environment(schedule):
    env = dict(os.environ)
    env.pop("POWERFIT_NVML_SCHEDULE", None)
    if schedule != "default":
        env["POWERFIT_NVML_SCHEDULE"] = schedule
    return env


def powerfit(interval_ms, sources, schedule="default", command_line=None, binary=POWERFIT):
    label = f"cost-{interval_ms}-{sources or 'all'}-{time.monotonic_ns()}"
    command = [binary, "run", "-q", "-i", f"{interval_ms}ms", "-o", DB, "--label", label]
    if sources:
        command += ["--sources", sources]
    process = subprocess.Popen(command + ["--"] + (command_line or ["sleep", str(SECONDS)]), env=environment(schedule))
    _, _, usage = os.wait4(process.pid, 0)
    with sqlite3.connect(DB) as con:
        (samples,) = con.execute("SELECT samples FROM runs WHERE label = ?", (label,)).fetchone()
    return usage.ru_utime + usage.ru_stime, samples


def floor(interval_ms, counter):
    process = subprocess.Popen([os.environ["FLOOR"], str(SECONDS), str(interval_ms), str(counter)], stdout=subprocess.PIPE)
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, int(output.split()[0])


def main():
    os.makedirs(OUT, exist_ok=True)
    tools = {"nvidia-smi": nvidia_smi}
    for schedule in SCHEDULES:
        suffix = "" if schedule == "default" else f" [{schedule}]"
        tools[f"powerfit --sources nvml{suffix}"] = lambda ms, s=schedule: powerfit(ms, "nvml", s)
        tools[f"powerfit (all sources){suffix}"] = lambda ms, s=schedule: powerfit(ms, None, s)
    if os.environ.get("BASELINE"):
        tools["baseline --sources nvml"] = lambda ms: powerfit(ms, "nvml", binary=os.environ["BASELINE"])
        tools["baseline (all sources)"] = lambda ms: powerfit(ms, None, binary=os.environ["BASELINE"])
    if os.environ.get("FLOOR"):
        tools["floor: NVML's reads, counter at the ends"] = lambda ms: floor(ms, 1)
        tools["floor: NVML's reads, no counter"] = lambda ms: floor(ms, 0)
    if os.environ.get("PARTS"):
        tools["powerfit --sources procfs.process"] = lambda ms: powerfit(ms, "procfs.process")
        tools["powerfit --sources procfs.cpu"] = lambda ms: powerfit(ms, "procfs.cpu")
    startup, startup_smi = [], []
    per_sample = {(tool, ms): [] for tool in tools for ms in INTERVALS}
    for _ in range(ROUNDS):
        startup.append(1e3 * powerfit(INTERVALS[0], "nvml", command_line=["true"])[0])
        once = subprocess.Popen(["nvidia-smi", "--query-gpu=timestamp,power.draw,utilization.gpu,memory.used",
                                 "--format=csv,noheader"], stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(once.pid, 0)
        startup_smi.append(1e3 * (usage.ru_utime + usage.ru_stime))
        for ms in INTERVALS:
            for tool, measure in tools.items():
                cpu_s, samples = measure(ms)
                per_sample[(tool, ms)].append(1e6 * cpu_s / max(samples, 1))
    print(f"{ROUNDS} rounds of {SECONDS:.0f} s; CPU time of the whole tool per sample (µs), median (each round)")
    print(f"start-up and shut-down of `powerfit run --sources nvml -- true`: {statistics.median(startup):.1f} ms of CPU "
          f"({' '.join(f'{v:.1f}' for v in startup)}); of one `nvidia-smi --query-gpu=...`: "
          f"{statistics.median(startup_smi):.1f} ms ({' '.join(f'{v:.1f}' for v in startup_smi)})")
    width = max(len(tool) for tool in tools) + 2
    print(f"{'tool':{width}}" + "".join(f"{str(ms) + ' ms':>34}" for ms in INTERVALS))
    for tool in tools:
        cells = []
        for ms in INTERVALS:
            values = per_sample[(tool, ms)]
            cells.append(f"{statistics.median(values):8.0f} ({' '.join(f'{v:.0f}' for v in values)})")
        print(f"{tool:{width}}" + "".join(f"{c:>34}" for c in cells))
    smi = {ms: statistics.median(per_sample[("nvidia-smi", ms)]) for ms in INTERVALS}
    for tool in list(tools)[1:]:
        print(f"{tool:{width}}" + "".join(f"{statistics.median(per_sample[(tool, ms)]) / smi[ms]:33.2f}x" for ms in INTERVALS)
              + "   (against nvidia-smi)")


main()
