"""An independent witness of a GPU's energy: reads NVML's total-energy counter every PERIOD seconds
in its own process and writes, for each change of the counter, the wall-clock time it was first
seen to change (midpoint between the read before and the read that saw it) and the value in mJ.
Stops on SIGTERM or SIGINT.

usage: python3 nvml_witness.py OUT_CSV [PERIOD_S] [GPU_INDEX]"""
import signal
import sys
import time

import pynvml

out_path = sys.argv[1]
period = float(sys.argv[2]) if len(sys.argv) > 2 else 0.02
index = int(sys.argv[3]) if len(sys.argv) > 3 else 0
stop = False


def on_signal(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
pynvml.nvmlInit()
handle = pynvml.nvmlDeviceGetHandleByIndex(index)
changes = []
last_value, last_mid = None, None
while not stop:
    before = time.time()
    value = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
    after = time.time()
    mid = (before + after) / 2
    if value != last_value:
        changes.append(((last_mid + mid) / 2 if last_mid is not None else mid, value))
        last_value = value
    last_mid = mid
    time.sleep(max(0.0, period - (time.time() - before)))
with open(out_path, "w") as f:
    f.write("unix_s,energy_mj\n")
    for stamp, value in changes:
        f.write(f"{stamp:.6f},{value}\n")
