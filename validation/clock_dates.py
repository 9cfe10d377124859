"""What powerfit's refresh clocks said on a GPU, from one `powerfit run --sources nvml` whose counter
reads nvml_count_shim.c logged (NVML_COUNT_VALUES set, the log in SHIM_LOG):

- the power clock: each power reading is stored dated at the refresh the clock puts it at, so two
  consecutive distinct dates, divided by the whole number of periods between them, give the
  period the clock was carrying at that time (every sixth printed);
- the counter: where the shim saw the counter change between two reads under 20 ms apart (the
  refresh lies between the first read's start and the second's end), against the dates powerfit
  gave its counter readings. The shim's clock starts at the source's first read, which powerfit
  dates halfway through that call: the two time bases are aligned there.

usage: python3 validation/clock_dates.py RUN_DB SHIM_LOG"""
import sqlite3
import sys


def channel(db, name):
    return db.execute("""SELECT s.t_ns, s.value FROM samples s JOIN channels c ON c.id = s.channel_id
                         WHERE c.name = ? ORDER BY s.t_ns""", (name,)).fetchall()


def main():
    db = sqlite3.connect(sys.argv[1])
    dates = sorted({t for t, _ in channel(db, "gpu0.power")})
    periods = []
    for a, b in zip(dates, dates[1:]):
        n = round((b - a) / 100e6)
        if n > 0:
            periods.append((b / 1e6, (b - a) / 1e6 / n))
    print("power clock's period (ms) at run time (ms):", " ".join(f"{t:.0f}:{p:.3f}" for t, p in periods[::6]))

    reads = []
    with open(sys.argv[2]) as log:
        for line in log:
            fields = line.split()
            if len(fields) == 5 and fields[0] == "nvml_count" and fields[1][0].isdigit():
                reads.append((float(fields[1]), float(fields[2]), int(fields[3])))
    counter = channel(db, "gpu0.energy")
    origin = counter[0][0] / 1e6 - reads[0][1] / 2  # the run's time of the shim's 0
    seen = [origin + (s0 + s1 + l1) / 2 for (s0, _, _), (s1, l1, change) in zip(reads, reads[1:])
            if change > 0 and s1 - s0 < 20]
    print("counter refreshes the shim saw within 20 ms (ms):", " ".join(f"{t:.1f}" for t in seen))
    print("counter readings as powerfit dated them (ms):", " ".join(f"{t / 1e6:.1f}" for t in sorted({t for t, _ in counter})))


main()
