"""What each way of reading a GPU's energy costs, and whether the ways agree.

NVML gives the total-energy counter two ways: nvmlDeviceGetTotalEnergyConsumption and the field
NVML_FI_DEV_TOTAL_ENERGY_CONSUMPTION (83) through nvmlDeviceGetFieldValues. For each way (and the
power readings beside it) this prints the median wall time and CPU time of the calling thread over
N calls, idle and under a bf16 load; then reads both counters side by side every 5 ms for a few
seconds: how often each changes (its refresh period), whether they hold the same value, and what
the field's own timestamp says against the time of the read.

usage: python3 validation/nvml_energy_read_cost.py [CALLS]"""
import os
import statistics
import subprocess
import sys
import time

import pynvml

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
TOTAL_ENERGY, POWER_AVERAGE, POWER_INSTANT = 83, 185, 186

pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(0)


def field(ids):
    values = pynvml.nvmlDeviceGetFieldValues(h, ids)
    for v in values:
        if v.nvmlReturn != pynvml.NVML_SUCCESS:
            raise pynvml.NVMLError(v.nvmlReturn)
    return values


calls = {
    "TotalEnergyConsumption": lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(h),
    "FieldValues(TOTAL_ENERGY)": lambda: field([TOTAL_ENERGY]),
    "FieldValues(TOTAL_ENERGY, POWER_INSTANT)": lambda: field([TOTAL_ENERGY, POWER_INSTANT]),
    "FieldValues(POWER_INSTANT)": lambda: field([POWER_INSTANT]),
    "FieldValues(POWER_AVERAGE)": lambda: field([POWER_AVERAGE]),
    "PowerUsage": lambda: pynvml.nvmlDeviceGetPowerUsage(h),
}


def measure(label):
    print(f"\n{label}: median of {CALLS} calls (wall us, thread CPU us)")
    for name, call in calls.items():
        walls, cpus = [], []
        error = ""
        for _ in range(CALLS):
            w, c = time.perf_counter(), time.thread_time()
            try:
                call()
            except pynvml.NVMLError as e:
                error = f"  error: {e}"
            cpus.append((time.thread_time() - c) * 1e6)
            walls.append((time.perf_counter() - w) * 1e6)
        print(f"  {name:42} {statistics.median(walls):9.1f} {statistics.median(cpus):9.1f}{error}")


def side_by_side(seconds):
    print(f"\nboth counters read every 5 ms for {seconds} s")
    rows = []
    end = time.time() + seconds
    while time.time() < end:
        t = time.time()
        direct = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        f = field([TOTAL_ENERGY])[0]
        rows.append((t, direct, f.value.ullVal, f.timestamp))
        time.sleep(0.005)

    def changes(i):
        return [rows[k][0] for k in range(1, len(rows)) if rows[k][i] != rows[k - 1][i]]

    for name, i in (("TotalEnergyConsumption", 1), ("FieldValues(TOTAL_ENERGY)", 2)):
        c = changes(i)
        gaps = [(b - a) * 1e3 for a, b in zip(c, c[1:])]
        print(f"  {name:28} {len(c)} changes, median gap {statistics.median(gaps) if gaps else 0:.1f} ms")
    differences = [r[2] - r[1] for r in rows]
    print(f"  field - direct (mJ): median {statistics.median(differences)}, min {min(differences)}, max {max(differences)}")
    ages = [(r[0] * 1e6 - r[3]) / 1e3 for r in rows]
    print(f"  read time - field timestamp (ms): median {statistics.median(ages):.1f}, min {min(ages):.1f}, max {max(ages):.1f}")


measure("idle GPU")
side_by_side(3)
load = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "gpu_load.py"), "12"])
time.sleep(5)
measure("under a bf16 matrix-product load")
side_by_side(3)
load.wait()
