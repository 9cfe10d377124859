"""What each NVML call of one powerfit sample costs, on a machine with an NVIDIA GPU: the calls the
`nvml` source makes on every tick (sensors/nvml_source.cpp, read_gpu), each CALLS times in a row
through ctypes, median CPU time of the calling thread and wall time per call, in microseconds.
The total-energy counter (read by the poller, not the tick) is shown beside them for scale.

With SPACING_MS > 0 the calls are made as a tick makes them instead: each once in turn, then a
pause of SPACING_MS, CALLS times over (a call that is cheap back to back may not be once the
driver's cached value has aged).

usage: python3 validation/nvml_tick_cost.py [CALLS] [SPACING_MS]"""
import ctypes
import statistics
import sys
import time

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
SPACING_MS = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
POWER_INSTANT = 186


class FieldValue(ctypes.Structure):
    _fields_ = [("fieldId", ctypes.c_uint), ("scopeId", ctypes.c_uint), ("timestamp", ctypes.c_longlong),
                ("latencyUsec", ctypes.c_longlong), ("valueType", ctypes.c_int), ("nvmlReturn", ctypes.c_int),
                ("value", ctypes.c_ulonglong)]


class ProcessInfo(ctypes.Structure):
    _fields_ = [("pid", ctypes.c_uint), ("usedGpuMemory", ctypes.c_ulonglong), ("gpuInstanceId", ctypes.c_uint),
                ("computeInstanceId", ctypes.c_uint)]


nvml = ctypes.CDLL("libnvidia-ml.so.1")
assert nvml.nvmlInit_v2() == 0
device = ctypes.c_void_p()
assert nvml.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(device)) == 0
uint, ull = ctypes.c_uint(), ctypes.c_ulonglong()
pair = (ctypes.c_uint * 2)()
memory = (ctypes.c_ulonglong * 3)()
field = FieldValue(fieldId=POWER_INSTANT)
processes = (ProcessInfo * 256)()
count = ctypes.c_uint()


def running_processes():
    count.value = 256
    return nvml.nvmlDeviceGetComputeRunningProcesses_v3(device, ctypes.byref(count), processes)


TICK = [
    ("nvmlDeviceGetPowerUsage", lambda: nvml.nvmlDeviceGetPowerUsage(device, ctypes.byref(uint))),
    ("nvmlDeviceGetFieldValues(POWER_INSTANT)", lambda: nvml.nvmlDeviceGetFieldValues(device, 1, ctypes.byref(field))),
    ("nvmlDeviceGetUtilizationRates", lambda: nvml.nvmlDeviceGetUtilizationRates(device, pair)),
    ("nvmlDeviceGetMemoryInfo", lambda: nvml.nvmlDeviceGetMemoryInfo(device, memory)),
    ("nvmlDeviceGetClockInfo(SM)", lambda: nvml.nvmlDeviceGetClockInfo(device, 1, ctypes.byref(uint))),
    ("nvmlDeviceGetTemperature(GPU)", lambda: nvml.nvmlDeviceGetTemperature(device, 0, ctypes.byref(uint))),
    ("nvmlDeviceGetEnforcedPowerLimit", lambda: nvml.nvmlDeviceGetEnforcedPowerLimit(device, ctypes.byref(uint))),
    ("nvmlDeviceGetComputeRunningProcesses_v3", running_processes),
]
COUNTER = ("nvmlDeviceGetTotalEnergyConsumption (poller)",
           lambda: nvml.nvmlDeviceGetTotalEnergyConsumption(device, ctypes.byref(ull)))


def measure(name, call, times):
    """Median thread CPU time of `times` calls, in µs, after printing it with the wall time."""
    cpus, walls, rc = [], [], 0
    for _ in range(times):
        w, c = time.perf_counter_ns(), time.thread_time_ns()
        rc = call()
        cpus.append((time.thread_time_ns() - c) / 1e3)
        walls.append((time.perf_counter_ns() - w) / 1e3)
    cpu = statistics.median(cpus)
    print(f"  {name:46} {cpu:9.1f} {statistics.median(walls):9.1f}  rc {rc}")
    return cpu


def spaced():
    """Each tick call once in turn, then a pause, CALLS times; prints and returns the medians' sum."""
    cpus = {name: [] for name, _ in TICK}
    walls = {name: [] for name, _ in TICK}
    for _ in range(CALLS):
        for name, call in TICK:
            w, c = time.perf_counter_ns(), time.thread_time_ns()
            call()
            cpus[name].append((time.thread_time_ns() - c) / 1e3)
            walls[name].append((time.perf_counter_ns() - w) / 1e3)
        time.sleep(SPACING_MS * 1e-3)
    for name, _ in TICK:
        print(f"  {name:46} {statistics.median(cpus[name]):9.1f} {statistics.median(walls[name]):9.1f}"
              f"  (mean CPU {statistics.mean(cpus[name]):.1f})")
    return sum(statistics.median(v) for v in cpus.values())


if SPACING_MS > 0:
    print(f"median of {CALLS} ticks {SPACING_MS:g} ms apart: thread CPU us, wall us")
    tick_cpu = spaced()
else:
    print(f"median of {CALLS} calls (the counter: {max(1, CALLS // 10)}): thread CPU us, wall us, return code")
    tick_cpu = sum(measure(name, call, CALLS) for name, call in TICK)
    measure(*COUNTER, max(1, CALLS // 10))
print(f"  {'one tick, all of the above but the counter':46} {tick_cpu:9.1f}")
nvml.nvmlShutdown()
