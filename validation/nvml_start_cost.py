"""Where the CPU of starting and stopping NVML goes, on a machine with an NVIDIA GPU: in ROUNDS fresh
processes, the process CPU time (all threads, user + system) of each step powerfit's NVML source
takes when it opens and closes, through ctypes; then, beside them, the whole CPU time of
`powerfit run -q --sources S -- true` for S = procfs.cpu (no NVML) and nvml, and of one
`nvidia-smi --query-gpu=timestamp,power.draw,utilization.gpu,memory.used`.

usage: python3 validation/nvml_start_cost.py POWERFIT OUT_DIR [ROUNDS]"""
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

STEPS = ["dlopen", "nvmlInit_v2", "device count, handle, name, uuid", "total energy (first)",
         "power limit, instant power", "total energy (last)", "nvmlShutdown"]


def child():
    spent = {}
    mark = time.process_time_ns()

    def step(name):
        nonlocal mark
        now = time.process_time_ns()
        spent[name] = (now - mark) / 1e6
        mark = now

    nvml = ctypes.CDLL("libnvidia-ml.so.1")
    step("dlopen")
    assert nvml.nvmlInit_v2() == 0
    step("nvmlInit_v2")
    count = ctypes.c_uint()
    nvml.nvmlDeviceGetCount_v2(ctypes.byref(count))
    device = ctypes.c_void_p()
    nvml.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(device))
    text = ctypes.create_string_buffer(96)
    nvml.nvmlDeviceGetName(device, text, 96)
    nvml.nvmlDeviceGetUUID(device, text, 96)
    step("device count, handle, name, uuid")
    energy = ctypes.c_ulonglong()
    nvml.nvmlDeviceGetTotalEnergyConsumption(device, ctypes.byref(energy))
    step("total energy (first)")
    limit = ctypes.c_uint()
    nvml.nvmlDeviceGetEnforcedPowerLimit(device, ctypes.byref(limit))
    nvml.nvmlDeviceGetPowerUsage(device, ctypes.byref(limit))
    step("power limit, instant power")
    nvml.nvmlDeviceGetTotalEnergyConsumption(device, ctypes.byref(energy))
    step("total energy (last)")
    nvml.nvmlShutdown()
    step("nvmlShutdown")
    print(json.dumps(spent))


def cpu_ms(command):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return 1e3 * (usage.ru_utime + usage.ru_stime)


def main():
    powerfit, out = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    os.makedirs(out, exist_ok=True)
    db = os.path.join(out, "start.db")
    steps = {name: [] for name in STEPS}
    whole = {"powerfit run --sources procfs.cpu -- true": [], "powerfit run --sources nvml -- true": [],
             "nvidia-smi --query-gpu=... (once)": []}
    for _ in range(rounds):
        result = subprocess.run([sys.executable, __file__, "--child"], capture_output=True, text=True, check=True)
        for name, ms in json.loads(result.stdout).items():
            steps[name].append(ms)
        for sources in ("procfs.cpu", "nvml"):
            whole[f"powerfit run --sources {sources} -- true"].append(
                cpu_ms([powerfit, "run", "-q", "-o", db, "--sources", sources, "--", "true"]))
        whole["nvidia-smi --query-gpu=... (once)"].append(
            cpu_ms(["nvidia-smi", "--query-gpu=timestamp,power.draw,utilization.gpu,memory.used", "--format=csv,noheader"]))
    print(f"{rounds} fresh processes each; CPU time in ms, median (min to max)")
    for table in (steps, whole):
        for name, values in table.items():
            print(f"  {name:48} {statistics.median(values):7.2f}  ({min(values):.2f} to {max(values):.2f})")


if len(sys.argv) > 1 and sys.argv[1] == "--child":
    child()
else:
    main()
