"""The counter's reads of each run in a file of `validation/nvml_count_shim.c` reports, each run
headed by a line "== NAME": how many, and how many in each burst (reads under 20 ms apart: a
burst is a watch of the counter).

usage: python3 validation/counter_bursts.py COUNTER_READS_TXT"""
import sys

print("counter reads in 12 s, and reads per burst (reads under 20 ms apart)")
name = None
for line in open(sys.argv[1]):
    if line.startswith("=="):
        name = line[3:].strip()
    if line.startswith("nvml_count: power reads"):
        print(f"{name:28} power reads a second: {line.split(':')[-1].strip()}")
        continue
    if not line.startswith("nvml_count:"):
        continue
    times = [float(v) for v in line.split(":")[-1].split()]
    bursts, run = [], 1
    for a, b in zip(times, times[1:]):
        if b - a < 20:
            run += 1
        else:
            bursts.append(run)
            run = 1
    bursts.append(run)
    print(f"{name:28} {len(times):3d} reads; bursts of 2+: {[n for n in bursts if n > 1]}")
