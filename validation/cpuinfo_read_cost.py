"""What reading /proc/cpuinfo costs a process: the whole file (each CPU's block, its frequency
computed by the kernel as it is read) against its first 4 KiB (the first CPU's block, where x86
names the model). CPU time (user + system) a read, medians of ROUNDS interleaved rounds of 100.

usage: python3 validation/cpuinfo_read_cost.py [ROUNDS]"""
import os
import statistics
import sys
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 9


def whole():
    with open("/proc/cpuinfo", "rb") as f:
        f.read()


def first_block():
    fd = os.open("/proc/cpuinfo", os.O_RDONLY)
    try:
        os.read(fd, 4096)
    finally:
        os.close(fd)


costs = {whole: [], first_block: []}
for _ in range(ROUNDS):
    for read in costs:
        start = time.process_time()
        for _ in range(100):
            read()
        costs[read].append((time.process_time() - start) / 100 * 1e6)
with open("/proc/cpuinfo", "rb") as f:
    size = len(f.read())
print(f"/proc/cpuinfo: {size} bytes, {os.cpu_count()} CPUs; CPU a read, median of {ROUNDS} rounds of 100")
for read, values in costs.items():
    print(f"  {read.__name__:12} {statistics.median(values):8.1f} µs")
