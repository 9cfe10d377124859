"""On a machine with an NVIDIA GPU: the energy of an inference window that starts on a power step
(idle, then full bf16 load, then idle), as powerfit records it, against NVML's energy counter read
by a separate process every 20 ms (nvml_witness.py, each change dated when first seen).

For each run it also prints, from the recorded samples, two other ways of placing the same energy:
the power gauge alone (trapezoids) and the gauge scaled by the counter over the whole run.

With SCHEDULES set ("energy=1s;energy=2s,watch_for=600ms": POWERFIT_NVML_SCHEDULE values, "default"
for none), each round runs under each schedule; run labels end in -sK, K the schedule's place.

With BENCH="MODEL DATA BATCH [DEVICE]" the window is bench's own instead, marked as it starts and ends
(`powerfit bench --device cuda --warmup 0 --baseline 0 --min-time 6s`, so that the card steps from
idle to load as the window starts): the window whose edges a marker reads the counter at
(NvmlSchedule::mark), where step_load.py's window is only known after the run.

usage: [SCHEDULES=...] [BENCH=...] python3 validation/step_window_gpu.py POWERFIT OUT_DIR [ROUNDS]
       python3 validation/step_window_gpu.py --analyse OUT_DIR    (the table again, from OUT_DIR's files)"""
import bisect
import os
import sqlite3
import subprocess
import sys
import time

POWERFIT, OUT = sys.argv[1], sys.argv[2]
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
HERE = os.path.dirname(os.path.abspath(__file__))
DB = os.path.join(OUT, "step.db")
SCHEDULES = [s for s in os.environ.get("SCHEDULES", "default").split(";") if s]
BENCH = os.environ.get("BENCH", "").split()
WITNESS = os.path.join(OUT, "witness.csv")


def interpolate(points, t):
    times = [p[0] for p in points]
    i = bisect.bisect_right(times, t)
    if i == len(points) and t == times[-1]:
        i -= 1
    if i == len(points) and t - times[-1] < 0.2:
        return points[-1][1]  # a window that ends just after the gauge's last sample: held, as the tool holds it
    if i == 0 or i == len(points):
        raise ValueError(f"{t} outside the series ({times[0]} to {times[-1]})")
    (t0, v0), (t1, v1) = points[i - 1], points[i]
    return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def trapezoid(points, start, end):
    """Integral of a piecewise-linear series between start and end."""
    inside = [(start, interpolate(points, start))] + [p for p in points if start < p[0] < end] + \
             [(end, interpolate(points, end))]
    return sum((t1 - t0) * (a + b) / 2 for (t0, a), (t1, b) in zip(inside, inside[1:]))


def series(con, run_id, name, offset_s):
    return [(offset_s + t / 1e9, v) for t, v in con.execute(
        """SELECT s.t_ns, s.value FROM samples s JOIN channels c ON c.id = s.channel_id
           WHERE s.run_id = ? AND c.name = ? ORDER BY s.t_ns""", (run_id, name))]


def measure():
    os.makedirs(OUT, exist_ok=True)
    witness = subprocess.Popen([sys.executable, os.path.join(HERE, "nvml_witness.py"), WITNESS, "0.02"])
    time.sleep(2.0)
    labels = []
    with open(os.path.join(OUT, "schedules.txt"), "w") as f:
        f.write("".join(f"s{k} {schedule}\n" for k, schedule in enumerate(SCHEDULES)))
    for r in range(ROUNDS):
        for k, schedule in enumerate(SCHEDULES):
            env = dict(os.environ)
            env.pop("POWERFIT_NVML_SCHEDULE", None)
            if schedule != "default":
                env["POWERFIT_NVML_SCHEDULE"] = schedule
            for interval in ("100ms", "50ms"):
                label = f"step-{interval}-{r}" + (f"-s{k}" if len(SCHEDULES) > 1 else "")
                if BENCH:
                    model, data, batch, device = (BENCH + ["cuda"])[:4]
                    subprocess.run([POWERFIT, "-q", "bench", "-m", model, "-d", data, "-b", batch, "--device", device,
                                    "--warmup", "0", "--baseline", "0", "--min-time", "6s", "-i", interval, "-o", DB,
                                    "--label", label], check=True, env=env)
                    time.sleep(2.0)  # idle between windows, as step_load.py's stretches are
                else:
                    subprocess.run([POWERFIT, "run", "-q", "-i", interval, "-o", DB, "--label", label, "--",
                                    sys.executable, os.path.join(HERE, "step_load.py"), "3", "6", "2"], check=True, env=env)
                labels.append((label, interval))
    time.sleep(1.0)
    witness.terminate()
    witness.wait()


def analyse():
    with open(WITNESS) as f:
        next(f)
        truth = [(float(a), float(b) / 1000.0) for a, b in (line.strip().split(",") for line in f)]

    con = sqlite3.connect(DB)
    rows, missing = [], []
    labels = con.execute("SELECT label FROM runs WHERE label LIKE 'step-%' ORDER BY id").fetchall()
    for (label,) in labels:
        interval = label.split("-")[1]
        run_id, start_wall_ns = con.execute("SELECT id, start_wall_ns FROM runs WHERE label = ?", (label,)).fetchone()
        offset = start_wall_ns / 1e9
        ws, we = con.execute("SELECT window_start_s, window_end_s FROM workload_reports WHERE run_id = ?",
                             (run_id,)).fetchone()
        start, end = offset + ws, offset + we
        witness_j = interpolate(truth, end) - interpolate(truth, start)
        recorded = con.execute("""SELECT w.energy_j FROM window_channel_energy w JOIN channels c ON c.id = w.channel_id
                                  WHERE w.run_id = ? AND c.name = 'gpu0.energy'""", (run_id,)).fetchone()
        if recorded is None:
            missing.append(f"{label}: the window has no gpu0.energy (window {ws:.3f}-{we:.3f} s)")
            continue
        recorded_j = recorded[0]
        counter = series(con, run_id, "gpu0.energy", offset)
        gauge = series(con, run_id, "gpu0.power_instant", offset) or series(con, run_id, "gpu0.power", offset)
        gauge_j = trapezoid(gauge, start, end)
        span = (max(counter[0][0], gauge[0][0]), min(counter[-1][0], gauge[-1][0]))
        scale = (interpolate(counter, span[1]) - interpolate(counter, span[0])) / trapezoid(gauge, *span)
        rows.append((label, interval, end - start, witness_j, recorded_j, gauge_j, gauge_j * scale, scale))

    lines = [f"{'run':16} {'window s':>8} {'witness J':>10} {'powerfit J':>10} {'err %':>7} "
             f"{'gauge %':>8} {'gauge*k %':>9} {'k':>6}"]
    for label, interval, seconds, w, p, g, gk, k in rows:
        lines.append(f"{label:16} {seconds:8.3f} {w:10.1f} {p:10.1f} {100 * (p / w - 1):+7.2f} "
                     f"{100 * (g / w - 1):+8.2f} {100 * (gk / w - 1):+9.2f} {k:6.3f}")
    lines += missing
    legend = os.path.join(OUT, "schedules.txt")
    if os.path.exists(legend):
        with open(legend) as f:
            lines += ["schedules: " + "; ".join(line.strip() for line in f)]
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(OUT, "step_window.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if POWERFIT != "--analyse":
        measure()
    analyse()
