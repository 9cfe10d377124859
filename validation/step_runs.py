"""What the step-window scripts (step_window_gpu.py, gauge_shift.py, counter_dating.py) read alike
from a step run's directory: the witness's counter readings (witness.csv, written by
nvml_witness.py) and, from step.db, each run's marked window, its recorded window energy and its
series of samples, all on the wall clock in seconds.

Each script keeps its own rule for a time beyond a series' first or last point (a power is held, a
counter's rate carried on), so the integral below takes the interpolation as an argument; held_at is
the rule that holds the first and last values (gauge_shift.py, instant_lag.py)."""
import bisect
import os
import sqlite3


def witness_readings(directory):
    """The witness's readings as (wall-clock s, millijoules as the counter gave them)."""
    with open(os.path.join(directory, "witness.csv")) as f:
        next(f)
        return [(float(t), int(mj)) for t, mj in (line.strip().split(",") for line in f)]


def witness_joules(directory):
    return [(t, mj / 1000.0) for t, mj in witness_readings(directory)]


def open_database(directory):
    return sqlite3.connect(f"file:{os.path.join(directory, 'step.db')}?mode=ro", uri=True)


def series(con, run_id, name, offset_s):
    """A channel's samples of one run as (wall-clock s, value), offset_s the run's start."""
    return [(offset_s + t / 1e9, v) for t, v in con.execute(
        """SELECT s.t_ns, s.value FROM samples s JOIN channels c ON c.id = s.channel_id
           WHERE s.run_id = ? AND c.name = ? ORDER BY s.t_ns""", (run_id, name))]


def windows(con, label_like="step-%"):
    """Each run with a marked window, in order: (run_id, label, run start s, window start s,
    window end s, the window's recorded gpu0.energy in J or None), times on the wall clock."""
    for run_id, label, wall_ns in con.execute(
            "SELECT id, label, start_wall_ns FROM runs WHERE label LIKE ? ORDER BY id", (label_like,)).fetchall():
        window = con.execute("SELECT window_start_s, window_end_s FROM workload_reports WHERE run_id = ?",
                             (run_id,)).fetchone()
        if not window or window[0] is None:
            continue
        recorded = con.execute("""SELECT w.energy_j FROM window_channel_energy w JOIN channels c ON c.id = w.channel_id
                                  WHERE w.run_id = ? AND c.name = 'gpu0.energy'""", (run_id,)).fetchone()
        offset = wall_ns / 1e9
        yield run_id, label, offset, offset + window[0], offset + window[1], recorded[0] if recorded else None


def integral(points, start, end, value_at):
    """The integral between start and end of the piecewise-linear series, value_at(points, t)
    giving its value at the two edges."""
    inside = [(start, value_at(points, start))] + [p for p in points if start < p[0] < end] + \
             [(end, value_at(points, end))]
    return sum((t1 - t0) * (a + b) / 2 for (t0, a), (t1, b) in zip(inside, inside[1:]))


def held_at(points, t):
    """The straight line between the two points around t; before the first or after the last, its value."""
    times = [p[0] for p in points]
    i = bisect.bisect_right(times, t)
    if i == 0:
        return points[0][1]
    if i == len(points):
        return points[-1][1]
    (t0, v0), (t1, v1) = points[i - 1], points[i]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)
