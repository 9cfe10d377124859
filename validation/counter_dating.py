"""How well powerfit dates the GPU's energy counter, from a step_window_gpu.py run's files: each
counter reading powerfit recorded (stored relative to the run's first) is found, by its exact
value, among the separate witness's readings (nvml_witness.py, every 20 ms), and its date is set
beside the time the witness first saw that value. Then each window's energy is recomputed three
ways against the witness: as recorded, by a straight line between the counter's readings as
powerfit dated them, and by the same line with each reading dated where the witness first saw it.
A window whose error vanishes in the last column owes it to the dating of the readings, not to the
gauge that shapes the energy between them or to how often the counter was read.

usage: python3 validation/counter_dating.py OUT_DIR   (OUT_DIR holds step.db and witness.csv)"""
import bisect
import statistics
import sys

import step_runs


def interpolate(points, t):
    """The straight line through the two readings around t; beyond the first or last reading, the
    line of the first or last two carried on. A window often ends after the run's last counter
    reading (its value came from a refresh before the window's end): the counter's energy up to
    the end is then the last stretch's rate carried on, as the witness's own readings, straight
    lines between refreshes, give it. step_window_gpu.py's interpolate holds a gauge's last power
    instead, which is right for a power and would drop that energy here."""
    times = [p[0] for p in points]
    i = min(max(bisect.bisect_right(times, t), 1), len(points) - 1)
    (t0, v0), (t1, v1) = points[i - 1], points[i]
    return v0 if t1 == t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def main(out):
    truth = step_runs.witness_readings(out)
    first_seen = {}
    for t, millijoules in truth:
        first_seen.setdefault(millijoules, t)
    witness_j = [(t, v / 1e3) for t, v in truth]
    con = step_runs.open_database(out)
    print(f"{'run':18} {'readings':>8} {'found':>5} {'date - seen ms (median, range)':>31} "
          f"{'recorded %':>10} {'line %':>7} {'line, seen %':>12}")
    offsets = []
    for run_id, label, at, start, end, recorded_j in step_runs.windows(con, "%"):
        readings = step_runs.series(con, run_id, "gpu0.energy", at)
        if not readings:
            continue
        # The run's first reading, in the counter's own millijoules: the witness value near the run's
        # start that makes the most of the run's readings exact witness values.
        base = max((w for t, w in truth if abs(t - readings[0][0]) < 1.0),
                   key=lambda w: sum(1 for _, v in readings if w + round(v * 1e3) in first_seen))
        found = [(t, first_seen[base + round(v * 1e3)], v) for t, v in readings if base + round(v * 1e3) in first_seen]
        dating = [1e3 * (t - seen) for t, seen, _ in found]
        offsets += dating[1:-1]  # the reads between the run's first and last
        true_j = interpolate(witness_j, end) - interpolate(witness_j, start)
        as_dated = interpolate(readings, end) - interpolate(readings, start)
        seen = sorted({(s, v) for _, s, v in found})
        as_seen = interpolate(seen, end) - interpolate(seen, start)
        print(f"{label:18} {len(readings):8d} {len(found):5d} {statistics.median(dating):+9.1f} "
              f"({min(dating):+6.1f} to {max(dating):+6.1f})   {100 * (recorded_j / true_j - 1):+10.2f} "
              f"{100 * (as_dated / true_j - 1):+7.2f} {100 * (as_seen / true_j - 1):+12.2f}")
    if offsets:
        print(f"reads between each run's first and last: {len(offsets)}, dated {statistics.median(offsets):+.1f} ms "
              f"from where the witness first saw them (median; quartiles {statistics.quantiles(offsets, n=4)[0]:+.1f} "
              f"and {statistics.quantiles(offsets, n=4)[2]:+.1f})")


if __name__ == "__main__":
    main(sys.argv[1])
