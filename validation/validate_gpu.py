"""Runs on a machine with an NVIDIA GPU: powerfit's GPU joules for a 20 s load against NVML's own
counter read independently (pynvml) and against nvidia-smi's power trace sampled every 100 ms in
parallel; then the rate at which NVML's power and energy readings change, seen through powerfit
at 10 ms; then the card's idle power. Prints a table; writes the runs to OUT/gpu.db.

usage: python3 validation/validate_gpu.py POWERFIT OUT_DIR"""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time

import pynvml

POWERFIT, OUT = sys.argv[1], sys.argv[2]
DB = os.path.join(OUT, "gpu.db")
HERE = os.path.dirname(os.path.abspath(__file__))


def run_powerfit(interval, label, command):
    summary = os.path.join(OUT, f"{label}.json")
    subprocess.run([POWERFIT, "run", "-q", "-i", interval, "-o", DB, "--label", label, "--summary-json", summary,
                    "--"] + command, check=True)
    with open(summary) as f:
        return json.load(f)


def channel(summary, name):
    return next(c for c in summary["channels"] if c["name"] == name)


def smi_energy(trace_path, start, end):
    """Trapezoid integral of nvidia-smi's power.draw samples inside [start, end] (UNIX seconds)."""
    points = []
    with open(trace_path) as f:
        for line in f:
            parts = [p.strip() for p in line.split(",")]
            if len(parts) < 2 or not parts[1].replace(".", "", 1).isdigit():
                continue
            stamp = datetime.datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
            points.append((stamp, float(parts[1])))
    inside = [p for p in points if start <= p[0] <= end]
    joules = sum((t1 - t0) * (w0 + w1) / 2 for (t0, w0), (t1, w1) in zip(inside, inside[1:]))
    covered = inside[-1][0] - inside[0][0] if len(inside) > 1 else 0.0
    # Stretch the covered span to the window, at the mean power, so both sides cover the same time.
    mean = joules / covered if covered else 0.0
    return joules + mean * ((end - start) - covered), len(inside)


def run_window(run_label):
    con = sqlite3.connect(DB)
    start_ns, duration = con.execute("SELECT start_wall_ns, duration_s FROM runs WHERE label = ?", (run_label,)).fetchone()
    return start_ns / 1e9, start_ns / 1e9 + duration


def update_rate(run_label, channel_name):
    """How often the recorded value changes, per second."""
    con = sqlite3.connect(DB)
    rows = con.execute("""SELECT s.t_ns, s.value FROM samples s JOIN channels c ON c.id = s.channel_id
                          JOIN runs r ON r.id = s.run_id WHERE r.label = ? AND c.name = ? ORDER BY s.t_ns""",
                       (run_label, channel_name)).fetchall()
    changes = sum(1 for (_, a), (_, b) in zip(rows, rows[1:]) if a != b)
    span = (rows[-1][0] - rows[0][0]) / 1e9
    return changes / span, len(rows)


def main():
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    print(subprocess.run([POWERFIT, "sensors"], capture_output=True, text=True).stdout)

    # 1. Idle baseline of the card, through powerfit at 100 ms.
    idle = run_powerfit("100ms", "idle", ["sleep", "10"])

    # 2. The 20 s load with nvidia-smi in parallel and NVML's counter read around it.
    trace = os.path.join(OUT, "smi.csv")
    smi = subprocess.Popen(["nvidia-smi", "--query-gpu=timestamp,power.draw", "--format=csv,noheader,nounits",
                            "-lms", "100"], stdout=open(trace, "w"))
    time.sleep(1.0)
    before = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
    load = run_powerfit("100ms", "load", ["python3", os.path.join(HERE, "gpu_load.py"), "20"])
    after = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
    time.sleep(0.5)
    smi.terminate()
    smi.wait()
    start, end = run_window("load")
    smi_j, smi_samples = smi_energy(trace, start, end)
    nvml_j = (after - before) / 1000.0
    powerfit_j = channel(load, "gpu0.energy")["energy_j"]
    integrated_power_j = channel(load, "gpu0.power")["energy_j"]

    # 3. How often NVML's readings change, sampled at 10 ms.
    fast = run_powerfit("10ms", "fast", ["python3", os.path.join(HERE, "gpu_load.py"), "5"])
    rates = {name: update_rate("fast", name) for name in ("gpu0.energy", "gpu0.power", "gpu0.power_instant")}

    print(f"\n{'figure':52} {'value':>14}")
    print(f"{'load duration (powerfit window)':52} {load['duration_s']:12.3f} s")
    print(f"{'powerfit gpu0.energy (NVML counter, sampled)':52} {powerfit_j:12.1f} J")
    print(f"{'NVML counter read by pynvml around the run':52} {nvml_j:12.1f} J")
    print(f"{'nvidia-smi power.draw every 100 ms, integrated':52} {smi_j:12.1f} J  ({smi_samples} samples)")
    print(f"{'powerfit gpu0.power integrated (trapezoid)':52} {integrated_power_j:12.1f} J")
    print(f"{'powerfit vs pynvml':52} {100 * (powerfit_j / nvml_j - 1):+12.3f} %")
    print(f"{'powerfit vs nvidia-smi':52} {100 * (powerfit_j / smi_j - 1):+12.3f} %")
    print(f"{'mean power under load (powerfit)':52} {channel(load, 'gpu0.energy')['mean']:12.1f} W")
    print(f"{'peak power (powerfit gpu0.power)':52} {channel(load, 'gpu0.power')['max']:12.1f} W")
    print(f"{'idle power, 10 s (powerfit gpu0.energy mean)':52} {channel(idle, 'gpu0.energy')['mean']:12.1f} W")
    print(f"{'sampler overhead at 100 ms':52} {load['sampler_overhead_percent']:12.3f} %")
    print(f"{'sampler overhead at 10 ms':52} {fast['sampler_overhead_percent']:12.3f} %")
    print(f"{'sampler CPU per tick at 10 ms':52} {1e6 * fast['sampler_cpu_s'] / fast['samples']:12.1f} us")
    print(f"{'powerfit overhead, all threads, at 100 ms':52} {load['process_overhead_percent']:12.3f} %")
    print(f"{'powerfit overhead, all threads, at 10 ms':52} {fast['process_overhead_percent']:12.3f} %")
    print(f"{'missed deadlines at 10 ms':52} {fast['missed_deadlines']:12d}")
    for name, (rate, samples) in rates.items():
        print(f"{'changes per second of ' + name + ' at 10 ms':52} {rate:12.1f} /s  ({samples} samples)")
    print(f"{'process-tree GPU memory, peak':52} {channel(load, 'gpu0.process_memory').get('max', 0) / 2**30:12.2f} GiB")


if __name__ == "__main__":
    main()
