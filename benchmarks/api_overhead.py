#!/usr/bin/python3
"""The Python API's costs: an empty region and a mark in a running session, and the slowdown of a
busy pure-Python loop while a session samples at 10 ms against the same loop with no session,
interleaved ROUNDS times (medians).
usage: PYTHONPATH=build/python /usr/bin/python3 benchmarks/api_overhead.py [ROUNDS]"""
import statistics
import sys
import time

import powerfit

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def per_call(function, calls=20000):
    start = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - start) / calls


def busy(seconds=2.0):
    """Iterations of a pure-Python loop in `seconds` of wall time."""
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        for _ in range(1000):
            count += 1
    return count


with powerfit.Session(interval="100ms") as session:
    def empty_region():
        with session.region("r"):
            pass
    region = statistics.median(per_call(empty_region) for _ in range(5))
    mark = statistics.median(per_call(lambda: session.mark("m")) for _ in range(5))
print(f"empty region {region * 1e6:.2f} us, mark {mark * 1e6:.2f} us")

bare, sampled = [], []
for _ in range(ROUNDS):
    bare.append(busy())
    with powerfit.Session(interval="10ms"):
        sampled.append(busy())
b, s = statistics.median(bare), statistics.median(sampled)
print(f"busy loop: {b:.0f} without a session, {s:.0f} with one sampling at 10 ms: {100 * (b - s) / b:+.2f}% slower "
      f"(rounds: {[round(100 * (x - y) / x, 2) for x, y in zip(bare, sampled)]})")
