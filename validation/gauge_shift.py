"""Would bench's windows come closer to the witness if the gauge that shapes the counter's energy
were dated earlier? Re-places each window's energy from a step run's database (step_window_gpu.py's
step.db and witness.csv, as step.tar.gz brings them back) with the instant power shifted by each of
SHIFTS: every stretch between two counter readings gives the window the share of its increase that
the shifted gauge puts inside the window, and before the first and after the last reading the
gauge is scaled as in the nearest stretch of more than 50 ms. Prints, per window, the error against
the witness as recorded by powerfit and as re-placed at each shift; at shift 0 the re-placement
stands for powerfit's own (it is not its code: compare the two columns).

usage: python3 validation/gauge_shift.py STEP_DIR [STEP_DIR ...]    (each holding step.db, witness.csv:
       tar -xzf validation/results/.../step.tar.gz -C DIR, then DIR/step)"""
import os
import statistics
import sys

import step_runs

SHIFTS_MS = [-40, -20, 0, 20, 40, 60, 80, 100]


def integral(points, start, end):
    return step_runs.integral(points, start, end, step_runs.held_at)


def replaced(counter, gauge, start, end):
    energy = 0.0
    for (t0, c0), (t1, c1) in zip(counter, counter[1:]):
        lo, hi = max(t0, start), min(t1, end)
        if hi > lo:
            whole = integral(gauge, t0, t1)
            energy += (c1 - c0) * (integral(gauge, lo, hi) / whole if whole > 0 else (hi - lo) / (t1 - t0))
    stretches = [(a, b) for a, b in zip(counter, counter[1:]) if b[0] - a[0] > 0.05]
    (f0, d0), (f1, d1) = stretches[0]
    (l0, e0), (l1, e1) = stretches[-1]
    if start < counter[0][0]:
        energy += integral(gauge, start, min(counter[0][0], end)) * (d1 - d0) / integral(gauge, f0, f1)
    if end > counter[-1][0]:
        energy += integral(gauge, max(counter[-1][0], start), end) * (e1 - e0) / integral(gauge, l0, l1)
    return energy


rows = []
for directory in sys.argv[1:]:
    truth = step_runs.witness_joules(directory)
    con = step_runs.open_database(directory)
    for run_id, label, offset, start, end, recorded in step_runs.windows(con):
        if recorded is None:
            continue
        witness = step_runs.held_at(truth, end) - step_runs.held_at(truth, start)
        counter = step_runs.series(con, run_id, "gpu0.energy", offset)
        gauge = step_runs.series(con, run_id, "gpu0.power_instant", offset)
        errors = [100 * (replaced(counter, [(t - ms / 1000, v) for t, v in gauge], start, end) / witness - 1) for ms in SHIFTS_MS]
        path = os.path.normpath(directory)
        name = os.path.basename(os.path.dirname(path)) if os.path.basename(path) == "step" else os.path.basename(path)
        rows.append((name[-30:], label, 100 * (recorded / witness - 1), errors))

print(f"{'step run':30} {'window':16} {'recorded':>8} " + " ".join(f"{ms:>+6d}" for ms in SHIFTS_MS) + "   (gauge dated earlier by ms)")
for directory, label, recorded, errors in rows:
    print(f"{directory:30} {label:16} {recorded:+8.2f} " + " ".join(f"{e:+6.2f}" for e in errors))
columns = [[r[2] for r in rows]] + [[r[3][k] for r in rows] for k in range(len(SHIFTS_MS))]
for name, measure in (("median error %", lambda c: f"{statistics.median(c):+.2f}"),
                      ("median |error| %", lambda c: f"{statistics.median(abs(x) for x in c):.2f}"),
                      ("within 0.5%", lambda c: f"{sum(abs(x) <= 0.5 for x in c)}/{len(c)}")):
    print(f"{name:47} {measure(columns[0]):>8} " + " ".join(f"{measure(c):>6}" for c in columns[1:]))
