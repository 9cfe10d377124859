"""Do NVML's power readings and its energy counter refresh together? Reads the power (PowerUsage
and the POWER_INSTANT field) every 2 ms and the energy counter every 20 ms for SECONDS seconds
under a load that steps on and off, and prints, for each change of the counter, how long before it
was seen the power readings last changed.

usage: python3 nvml_refresh_phase.py [SECONDS]"""
import statistics
import subprocess
import sys
import time

import pynvml

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8
pynvml.nvmlInit()
handle = pynvml.nvmlDeviceGetHandleByIndex(0)
INSTANT = getattr(pynvml, "NVML_FI_DEV_POWER_INSTANT", 186)
load = subprocess.Popen([sys.executable, __file__.replace("nvml_refresh_phase.py", "gpu_load.py"), str(seconds / 2)])
changes = {"usage": [], "instant": [], "energy": []}
last = {}
end = time.time() + seconds
i = 0
while time.time() < end:
    t = time.time()
    values = {"usage": pynvml.nvmlDeviceGetPowerUsage(handle),
              "instant": pynvml.nvmlDeviceGetFieldValues(handle, [INSTANT])[0].value.uiVal}
    if i % 10 == 0:
        values["energy"] = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
    for name, value in values.items():
        if last.get(name) != value:
            changes[name].append(t)
            last[name] = value
    i += 1
    time.sleep(max(0.0, 0.002 - (time.time() - t)))
load.wait()
for name in ("usage", "instant"):
    lags = []
    for t in changes["energy"][1:]:
        before = [c for c in changes[name] if c <= t]
        if before:
            lags.append(t - before[-1])
    periods = [b - a for a, b in zip(changes[name], changes[name][1:])]
    print(f"{name:8} changes {len(changes[name]):5}  median period {1000 * statistics.median(periods):6.1f} ms  "
          f"counter change seen after its last change: median {1000 * statistics.median(lags):5.1f} ms, "
          f"max {1000 * max(lags):5.1f} ms")
print(f"energy   changes {len(changes['energy']):5}")
