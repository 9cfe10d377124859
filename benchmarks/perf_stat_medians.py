"""Medians of `perf stat -x, -o WORK/VARIANT-ROUND.csv` files, one line per variant, and the ratio of
the second variant to the first for each event.

usage: python3 benchmarks/perf_stat_medians.py WORK ROUNDS VARIANT_A VARIANT_B EVENT[:UNIT]..."""
import glob
import os
import statistics
import sys


def main(work, rounds, first, second, *events):
    names = [event.split(":")[0] for event in events]
    units = {event.split(":")[0]: (event.split(":") + [""])[1] for event in events}
    table = {}
    for variant in (first, second):
        values = {name: [] for name in names}
        for path in glob.glob(os.path.join(work, f"{variant}-*.csv")):
            for line in open(path):
                fields = line.strip().split(",")
                if len(fields) > 2 and fields[2] in values:
                    values[fields[2]].append(float(fields[0]))
        table[variant] = {name: statistics.median(v) for name, v in values.items()}
        print(f"{variant:7}" + "   ".join(
            f"{name} median {table[variant][name]:8.1f}{units[name]} (range {min(v):.1f} to {max(v):.1f})"
            for name, v in values.items()))
    print(f"{second}/{first}: " + ", ".join(f"{name} {table[second][name] / table[first][name]:.2f}" for name in names)
          + f" ({rounds} interleaved rounds)")


if __name__ == "__main__":
    main(*sys.argv[1:])
