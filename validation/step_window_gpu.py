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
import subprocess
import sys
import time

import step_runs

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEDULES = [s for s in os.environ.get("SCHEDULES", "default").split(";") if s]
BENCH = os.environ.get("BENCH", "").split()


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
    return step_runs.integral(points, start, end, interpolate)


def measure(powerfit, out, rounds):
    os.makedirs(out, exist_ok=True)
    db = os.path.join(out, "step.db")
    witness = subprocess.Popen([sys.executable, os.path.join(HERE, "nvml_witness.py"),
                                os.path.join(out, "witness.csv"), "0.02"])
    time.sleep(2.0)
    with open(os.path.join(out, "schedules.txt"), "w") as f:
        f.write("".join(f"s{k} {schedule}\n" for k, schedule in enumerate(SCHEDULES)))
    for r in range(rounds):
        for k, schedule in enumerate(SCHEDULES):
            env = dict(os.environ)
            env.pop("POWERFIT_NVML_SCHEDULE", None)
            if schedule != "default":
                env["POWERFIT_NVML_SCHEDULE"] = schedule
            for interval in ("100ms", "50ms"):
                label = f"step-{interval}-{r}" + (f"-s{k}" if len(SCHEDULES) > 1 else "")
                if BENCH:
                    model, data, batch, device = (BENCH + ["cuda"])[:4]
                    subprocess.run([powerfit, "-q", "bench", "-m", model, "-d", data, "-b", batch, "--device", device,
                                    "--warmup", "0", "--baseline", "0", "--min-time", "6s", "-i", interval, "-o", db,
                                    "--label", label], check=True, env=env)
                    time.sleep(2.0)  # idle between windows, as step_load.py's stretches are
                else:
                    subprocess.run([powerfit, "run", "-q", "-i", interval, "-o", db, "--label", label, "--",
                                    sys.executable, os.path.join(HERE, "step_load.py"), "3", "6", "2"], check=True, env=env)
    time.sleep(1.0)
    witness.terminate()
    witness.wait()


def analyse(out):
    truth = step_runs.witness_joules(out)
    con = step_runs.open_database(out)
    rows, missing = [], []
    for run_id, label, offset, start, end, recorded_j in step_runs.windows(con):
        interval = label.split("-")[1]
        witness_j = interpolate(truth, end) - interpolate(truth, start)
        if recorded_j is None:
            missing.append(f"{label}: the window has no gpu0.energy (window {start - offset:.3f}-{end - offset:.3f} s)")
            continue
        counter = step_runs.series(con, run_id, "gpu0.energy", offset)
        gauge = step_runs.series(con, run_id, "gpu0.power_instant", offset) or \
            step_runs.series(con, run_id, "gpu0.power", offset)
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
    legend = os.path.join(out, "schedules.txt")
    if os.path.exists(legend):
        with open(legend) as f:
            lines += ["schedules: " + "; ".join(line.strip() for line in f)]
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "step_window.txt"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--analyse":
        analyse(sys.argv[2])
    else:
        measure(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3)
        analyse(sys.argv[2])
