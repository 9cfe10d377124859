#!/usr/bin/python3
"""Runs powerfit and its peers around the same idle command and prints the CPU each spends per
sample, and the sampling intervals powerfit holds with fewer than 1% missed deadlines.

usage: benchmarks/compare_peers.py BUILD_DIR [SECONDS]"""
import json
import os
import subprocess
import sys
import tempfile

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
POWERFIT = os.path.join(BUILD, "src", "powerfit")
HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_of(command):
    """Runs command; returns (user+system CPU seconds of it and its children, stdout)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime, out


def powerfit(interval, seconds):
    with tempfile.TemporaryDirectory() as scratch:
        summary = os.path.join(scratch, "summary.json")
        cpu, _ = cpu_of([POWERFIT, "run", "-q", "-i", interval, "-o", os.path.join(scratch, "r.db"),
                         "--summary-json", summary, "--", "sleep", str(seconds)])
        with open(summary) as f:
            data = json.load(f)
    return cpu, data["samples"], data


def main():
    rows = []
    cpu, samples, _ = powerfit("10ms", SECONDS)
    rows.append(("powerfit run -i 10ms (whole process)", samples, cpu))
    cpu, out = cpu_of(["/usr/bin/python3", os.path.join(HERE, "psutil_sampler.py"), "0.01", "--", "sleep", str(SECONDS)])
    rows.append(("psutil loop at 10 ms", int(out.strip() or 0), cpu))
    cpu, samples, _ = powerfit("1s", SECONDS)
    rows.append(("powerfit run -i 1s (whole process)", samples, cpu))
    # sysstat's tools take whole seconds: pidstat for the process, sar for the system.
    sleeper = subprocess.Popen(["sleep", str(SECONDS + 2)])
    count = int(SECONDS)
    cpu, _ = cpu_of(["pidstat", "-h", "-u", "-r", "-d", "-p", str(sleeper.pid), "1", str(count)])
    rows.append(("pidstat -u -r -d at 1 s", count, cpu))
    cpu, _ = cpu_of(["sar", "-u", "-P", "ALL", "-r", "-d", "-n", "DEV", "1", str(count)])
    rows.append(("sar -u -P ALL -r -d -n DEV at 1 s", count, cpu))
    sleeper.kill()

    print(f"{'tool':40} {'samples':>8} {'CPU s':>8} {'CPU/sample':>12}")
    for name, samples, cpu in rows:
        print(f"{name:40} {samples:8d} {cpu:8.3f} {1e6 * cpu / max(samples, 1):9.1f} us")

    print(f"\n{'interval':>8} {'ticks':>7} {'missed':>7} {'missed %':>9} {'sampler CPU/tick':>17} {'overhead':>9}")
    for interval in ("1ms", "2ms", "5ms", "10ms"):
        _, _, data = powerfit(interval, 5)
        ticks, missed = data["samples"], data["missed_deadlines"]
        print(f"{interval:>8} {ticks:7d} {missed:7d} {100 * missed / (ticks + missed):8.2f}% "
              f"{1e6 * data['sampler_cpu_s'] / ticks:14.1f} us {data['sampler_overhead_percent']:8.2f}%")


if __name__ == "__main__":
    main()
