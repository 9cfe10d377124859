"""Does sampling slow the measured GPU work? The same bf16 matrix-product loop (SECONDS long, 10 by
default), bare and under `powerfit run` at 100 ms and at 10 ms, interleaved, ROUNDS rounds; prints
products per second for each and the slowdown of the medians.

usage: python3 validation/slowdown_gpu.py POWERFIT OUT_DIR [ROUNDS] [SECONDS]"""
import os
import re
import statistics
import subprocess
import sys

POWERFIT, OUT = sys.argv[1], sys.argv[2]
os.makedirs(OUT, exist_ok=True)
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 2
SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
LOAD = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gpu_load.py"), str(SECONDS)]


def products(command):
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"(\d+) products .*\(([0-9.]+) s\)", result.stderr)
    return int(found.group(1)) / float(found.group(2))


variants = {
    "bare": LOAD,
    "powerfit -i 100ms": [POWERFIT, "run", "-q", "-i", "100ms", "-o", os.path.join(OUT, "slowdown.db"), "--"] + LOAD,
    "powerfit -i 10ms": [POWERFIT, "run", "-q", "-i", "10ms", "-o", os.path.join(OUT, "slowdown.db"), "--"] + LOAD,
}
rates = {name: [] for name in variants}
for _ in range(ROUNDS):
    for name, command in variants.items():
        rates[name].append(products(command))
bare = statistics.median(rates["bare"])
print(f"{'variant':22} {'products/s (each round)':>36} {'median':>8} {'slowdown':>9}")
for name, values in rates.items():
    median = statistics.median(values)
    print(f"{name:22} {' '.join(f'{v:7.1f}' for v in values):>36} {median:8.1f} {100 * (1 - median / bare):8.2f}%")
