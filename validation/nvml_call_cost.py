"""Median wall time of each NVML call powerfit makes, idle GPU and under load.

usage: python3 validation/nvml_call_cost.py"""
import statistics
import subprocess
import sys
import os
import time

import pynvml

pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(0)
calls = {
    "TotalEnergyConsumption": lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(h),
    "PowerUsage": lambda: pynvml.nvmlDeviceGetPowerUsage(h),
    "FieldValues(POWER_INSTANT)": lambda: pynvml.nvmlDeviceGetFieldValues(h, [186]),
    "UtilizationRates": lambda: pynvml.nvmlDeviceGetUtilizationRates(h),
    "MemoryInfo": lambda: pynvml.nvmlDeviceGetMemoryInfo(h),
    "ClockInfo(SM)": lambda: pynvml.nvmlDeviceGetClockInfo(h, 1),
    "Temperature": lambda: pynvml.nvmlDeviceGetTemperature(h, 0),
    "EnforcedPowerLimit": lambda: pynvml.nvmlDeviceGetEnforcedPowerLimit(h),
    "ComputeRunningProcesses": lambda: pynvml.nvmlDeviceGetComputeRunningProcesses(h),
    "ProcessUtilization": lambda: pynvml.nvmlDeviceGetProcessUtilization(h, 0),
    "PcieThroughput(TX)": lambda: pynvml.nvmlDeviceGetPcieThroughput(h, 0),
}


def measure(label):
    print(f"\n{label}: median and max of 30 calls")
    for name, call in calls.items():
        times = []
        for _ in range(30):
            t = time.perf_counter()
            try:
                call()
            except pynvml.NVMLError:
                pass
            times.append((time.perf_counter() - t) * 1e6)
        print(f"  {name:30} {statistics.median(times):10.1f} us {max(times):10.1f} us")


measure("idle GPU")
load = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "gpu_load.py"), "15"])
time.sleep(6)
measure("under a bf16 matrix-product load")
load.wait()
