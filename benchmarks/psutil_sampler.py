#!/usr/bin/python3
"""The peer for BENCHMARKS.md: a psutil loop sampling what `powerfit run` samples (system and
per-core CPU, memory, whole-disk and per-interface bytes, and the process tree's CPU time,
resident memory and I/O) at a fixed interval while a command runs.

usage: psutil_sampler.py INTERVAL_S -- CMD [ARGS...]; prints the number of samples taken."""
import subprocess
import sys
import time

import psutil


def sample(root):
    psutil.cpu_times_percent(percpu=False)
    psutil.cpu_percent(percpu=True)
    psutil.virtual_memory()
    psutil.disk_io_counters(perdisk=True)
    psutil.net_io_counters(pernic=True)
    try:
        tree = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for process in tree:
        try:
            with process.oneshot():
                process.cpu_times()
                process.memory_info()
                process.io_counters()
        except psutil.NoSuchProcess:
            pass


def main():
    interval = float(sys.argv[1])
    command = sys.argv[sys.argv.index("--") + 1:]
    child = subprocess.Popen(command)
    root = psutil.Process(child.pid)
    samples = 0
    start = time.monotonic()
    deadline = start
    while child.poll() is None:
        sample(root)
        samples += 1
        deadline += interval
        time.sleep(max(0.0, deadline - time.monotonic()))
    print(samples)


if __name__ == "__main__":
    main()
