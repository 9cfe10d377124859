"""The grids on which NVML refreshes a GPU's energy counter and its power readings, and what one read
of the counter takes, measured in one process with nothing else reading: for SECONDS the counter is
read back to back (each read's start, end and value on CLOCK_MONOTONIC), then for SECONDS the power
(nvmlDeviceGetPowerUsage) and the instant power (field 186, NVML_FI_DEV_POWER_INSTANT, which
powerfit dates by the power's refresh) every millisecond, both in each read. Each change is
bracketed by the read before it and the read that saw it; a straight line through the brackets'
middles, against the number of refreshes since the first (the nearest whole number of periods),
gives each value's period, and the residuals how straight that grid is.

usage: python3 validation/nvml_refresh_grids.py [SECONDS] [GPU_INDEX]"""
import statistics
import sys
import time

INSTANT = 186  # NVML_FI_DEV_POWER_INSTANT in nvml.h


def watch(read, seconds, pause):
    """Reads until `seconds` have passed; returns (start, end, value) of every read and the CPU time."""
    reads = []
    cpu = time.process_time()
    end = time.monotonic() + seconds
    while True:
        start = time.monotonic()
        if start >= end:
            break
        value = read()
        reads.append((start, time.monotonic(), value))
        if pause:
            time.sleep(pause)
    return reads, time.process_time() - cpu


def grid(reads, nominal=0.1):
    """The changes' brackets (from the end of the read before to the end of the read that saw it:
    the value is taken somewhere within a read), the fitted period and the residuals."""
    changes = []
    for (s0, e0, v0), (s1, e1, v1) in zip(reads, reads[1:]):
        # A second change less than half a period after one kept is taken as part of the same
        # refresh: counted as a refresh of its own, it would shift every later one by a period.
        if v1 != v0 and (not changes or (s0 + e1) / 2 - sum(changes[-1]) / 2 >= nominal / 2):
            changes.append((s0, e1))
    middles = [(a + b) / 2 for a, b in changes]
    k = [0]
    for m0, m1 in zip(middles, middles[1:]):
        k.append(k[-1] + max(1, round((m1 - m0) / nominal)))
    n = len(k)
    mk, mt = sum(k) / n, sum(middles) / n
    slope = sum((a - mk) * (b - mt) for a, b in zip(k, middles)) / sum((a - mk) ** 2 for a in k)
    residuals = [1e3 * (t - (mt + slope * (a - mk))) for a, t in zip(k, middles)]
    return changes, slope, residuals, mt - slope * mk


def main(seconds, index):
    import pynvml  # here, so that the analysis runs where NVML's binding is not installed
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    counter_reads, counter_cpu = watch(lambda: pynvml.nvmlDeviceGetTotalEnergyConsumption(handle), seconds, 0.0)
    both_reads, power_cpu = watch(lambda: (pynvml.nvmlDeviceGetPowerUsage(handle),
                                           pynvml.nvmlDeviceGetFieldValues(handle, [INSTANT])[0].value.uiVal), seconds, 0.001)
    power_reads = [(s, e, v[0]) for s, e, v in both_reads]
    instant_reads = [(s, e, v[1]) for s, e, v in both_reads]
    durations = [1e3 * (e - s) for s, e, _ in counter_reads]
    print(f"counter: {len(counter_reads)} reads back to back in {seconds:g} s; a read takes {statistics.median(durations):.2f} ms "
          f"(median; 10th and 90th percentiles {statistics.quantiles(durations, n=10)[0]:.2f} and "
          f"{statistics.quantiles(durations, n=10)[-1]:.2f}), {1e3 * counter_cpu / len(counter_reads):.2f} ms of CPU")
    rows = []
    for name, reads in (("counter", counter_reads), ("power", power_reads), ("instant", instant_reads)):
        changes, period, residuals, origin = grid(reads)
        widths = [1e3 * (b - a) for a, b in changes]
        rows.append((name, period, origin))
        print(f"{name}: {len(changes)} changes, bracketed {statistics.median(widths):.1f} ms wide (median); period "
              f"{1e3 * period:.3f} ms; residuals {min(residuals):+.1f} to {max(residuals):+.1f} ms "
              f"(quartiles {statistics.quantiles(residuals, n=4)[0]:+.1f}, {statistics.quantiles(residuals, n=4)[2]:+.1f})")
    (_, counter_period, counter_origin), (_, power_period, power_origin), (_, instant_period, instant_origin) = rows
    offset = 1e3 * ((counter_origin - power_origin) % power_period)
    print(f"the counter refreshes {offset:.1f} ms after the power (at the middle of the counter's watch; the two "
          f"periods differ by {1e3 * (counter_period - power_period):+.3f} ms)")
    # Signed, within half a period: the two refresh together when this is near 0 (a wrap would print 100).
    offset = 1e3 * ((instant_origin - power_origin + power_period / 2) % power_period - power_period / 2)
    print(f"the instant power refreshes {offset:+.1f} ms after the power (read together; the two periods differ by "
          f"{1e3 * (instant_period - power_period):+.3f} ms)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0, int(sys.argv[2]) if len(sys.argv) > 2 else 0)
