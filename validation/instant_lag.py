"""Does the instant power (field 186) stand for the power at its refresh, or for an earlier time?
While gpu_load.py steps the card up and down (PERIOD s, half of it loaded), one process reads the
energy counter, the instant power and the power in turn for SECONDS. Each value's refreshes are
dated on the straight line through its changes (nvml_refresh_grids.grid), the instant power held at
refreshes that left it unchanged. Between two refreshes of the counter, the increase is the card's
energy; the instant power, dated `lead` earlier than its refresh and drawn as straight lines between
points (as powerfit places a counter's energy in time), gives its own share of the run's energy
there (scaled by the whole run's counter/gauge ratio). The lead whose shares match the counter best
at the steps (stretches whose power differs by more than 20% from a neighbour's) is how far before
its refresh the instant power should be dated. Last, how many steps the instant power shows part-way
at one refresh: a mean over the period shows most so, a value of one moment few; and whether the
instant power changes when the power does, as powerfit's dating of it assumes.

usage: python3 validation/instant_lag.py [SECONDS] [PERIOD] [GPU_INDEX] [READS.json]
       python3 validation/instant_lag.py --again READS.json   (the analysis again, from kept reads)"""
import json
import os
import statistics
import subprocess
import sys
import time

import step_runs
from nvml_refresh_grids import INSTANT, grid

LEADS_MS = list(range(-40, 161, 10))


def refreshes(reads):
    """(time, value) at every refresh on the line through the value's changes, the value held."""
    changes, period, residuals, origin = grid(reads)
    seen = {e: v for _, e, v in reads}
    dated = [((a + b) / 2 - r / 1e3, seen[b]) for (a, b), r in zip(changes, residuals)]
    points, k = [], 0
    first, last = dated[0][0], dated[-1][0]
    t, j = first, 0
    while t <= last + 1e-9:
        while j + 1 < len(dated) and dated[j + 1][0] <= t + period / 2:
            j += 1
        points.append((t, dated[j][1]))
        k += 1
        t = first + k * period
    return points, dated, period


def main(seconds, period, index, kept=None):
    import pynvml  # here, so that the analysis runs where NVML's binding is not installed
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    load = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_load.py"),
                             str(seconds + 5), str(period)])
    time.sleep(5)  # the loader's start: CUDA and its matrices
    counter_reads, instant_reads, power_reads = [], [], []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s = time.monotonic()
        counter = pynvml.nvmlDeviceGetTotalEnergyConsumption(handle)
        counter_reads.append((s, time.monotonic(), counter))
        s = time.monotonic()
        instant = pynvml.nvmlDeviceGetFieldValues(handle, [INSTANT])[0].value.uiVal
        instant_reads.append((s, time.monotonic(), instant))
        s = time.monotonic()
        power = pynvml.nvmlDeviceGetPowerUsage(handle)
        power_reads.append((s, time.monotonic(), power))
        time.sleep(0.001)
    load.wait()
    pynvml.nvmlShutdown()
    reads = {"counter": counter_reads, "instant": instant_reads, "power": power_reads}
    if kept:
        with open(kept, "w", encoding="utf-8") as f:
            json.dump(reads, f)
    report(reads)


def report(reads):
    """Both analyses of one run's reads (kept runs from before the power was read have none of it)."""
    counter, instant = ([tuple(r) for r in reads[name]] for name in ("counter", "instant"))
    analyse(counter, instant)
    if "power" in reads:
        together(instant, [tuple(r) for r in reads["power"]])


def analyse(counter_reads, instant_reads):
    """counter_reads and instant_reads: (start, end, value) of each read, in mJ and mW."""
    _, counter, counter_period = refreshes(counter_reads)
    gauge, _, gauge_period = refreshes(instant_reads)
    stretches = [(t0, t1, (e1 - e0) / 1e3) for (t0, e0), (t1, e1) in zip(counter, counter[1:])
                 if gauge[0][0] + 0.2 < t0 and t1 < gauge[-1][0] - 0.2]
    powers = [j / (t1 - t0) for t0, t1, j in stretches]
    steps = [i for i in range(1, len(stretches) - 1)
             if max(abs(powers[i] - powers[i - 1]), abs(powers[i] - powers[i + 1])) > 0.2 * min(powers)]
    print(f"{len(counter_reads)} reads of each; counter period {1e3 * counter_period:.3f} ms, instant {1e3 * gauge_period:.3f} ms; "
          f"{len(stretches)} stretches between the counter's refreshes, {len(steps)} at a step; power "
          f"{min(powers):.0f} to {max(powers):.0f} W")
    print(f"{'lead ms':>7} {'rms at steps J':>14} {'rises J':>8} {'falls J':>8} {'rms elsewhere J':>15}")
    best = None
    for lead in LEADS_MS:
        shifted = [(t - lead / 1e3, w / 1e3) for t, w in gauge]
        shares = [step_runs.integral(shifted, t0, t1, step_runs.held_at) for t0, t1, _ in stretches]
        scale = sum(j for _, _, j in stretches) / sum(shares)
        errors = [scale * g - j for g, (_, _, j) in zip(shares, stretches)]
        at_steps = [errors[i] for i in steps]
        rises = sum(errors[i] for i in steps if powers[i] > powers[i - 1] + 0.2 * min(powers))
        falls = sum(errors[i] for i in steps if powers[i] < powers[i - 1] - 0.2 * min(powers))
        rms = statistics.fmean(e * e for e in at_steps) ** 0.5
        rest = statistics.fmean(errors[i] ** 2 for i in range(len(errors)) if i not in steps) ** 0.5
        print(f"{lead:+7d} {rms:14.3f} {rises:+8.2f} {falls:+8.2f} {rest:15.3f}")
        if best is None or rms < best[1]:
            best = (lead, rms)
    print(f"best lead: {best[0]:+d} ms (rms {best[1]:.3f} J at the steps)")
    # A value read over a whole period shows most steps part-way, at the refresh after them; a value
    # taken at one moment shows them before or after, part-way only while the power ramps.
    values = [v for _, v in gauge]
    low, high = min(values), max(values)
    parts = []
    for v0, v1, v2 in zip(values, values[1:], values[2:]):
        if abs(v2 - v0) > 0.5 * (high - low) and abs(v1 - v0) < abs(v2 - v0) * 1.2 and abs(v2 - v1) < abs(v2 - v0) * 1.2:
            parts.append((v1 - v0) / (v2 - v0))
    middle = sum(0.15 < f < 0.85 for f in parts)
    print(f"steps over two refreshes: {len(parts)}; the refresh between shows {middle} of them part-way (15-85%), "
          f"fractions {' '.join(f'{f:.2f}' for f in sorted(parts))}")


def together(instant_reads, power_reads):
    """Whether the instant power changes when the power does (powerfit dates it by the power's
    refreshes), and how far each strays from a grid of one period while the card steps."""
    changes = {}
    for name, reads in (("instant", instant_reads), ("power", power_reads)):
        brackets, period, residuals, _ = grid(reads)
        changes[name] = [(a + b) / 2 for a, b in brackets]
        q = statistics.quantiles(residuals, n=4)
        print(f"{name}: {len(brackets)} changes, period {1e3 * period:.3f} ms, residuals {min(residuals):+.1f} to "
              f"{max(residuals):+.1f} ms (quartiles {q[0]:+.1f}, {q[2]:+.1f})")
    apart = []
    for t in changes["instant"]:
        nearest = min(changes["power"], key=lambda u: abs(u - t))
        apart.append(1e3 * (t - nearest))
    q = statistics.quantiles(apart, n=4)
    print(f"instant change - nearest power change: median {statistics.median(apart):+.1f} ms, quartiles {q[0]:+.1f} and "
          f"{q[2]:+.1f}, {sum(abs(a) > 10 for a in apart)} of {len(apart)} more than 10 ms apart")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--again"]:
        with open(sys.argv[2], encoding="utf-8") as f:
            report(json.load(f))
        sys.exit(0)
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 20.0, float(sys.argv[2]) if len(sys.argv) > 2 else 1.37,
         int(sys.argv[3]) if len(sys.argv) > 3 else 0, sys.argv[4] if len(sys.argv) > 4 else None)
