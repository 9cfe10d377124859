"""Where the CPU of sampling goes, thread by thread, in the steady state: runs
`powerfit run -q -i INTERVAL [--sources SOURCES] -- sleep SECONDS` and reads each of its threads'
time on a CPU (/proc/PID/task/TID/schedstat, nanoseconds) one second after the start and one
second before the end; prints each thread's CPU per sample (µs) over that stretch, so that start-up
and shut-down are left out, and how often the threads were put on a CPU (wake-ups) per sample. With SCHEDULES set (a ';'-separated list of POWERFIT_NVML_SCHEDULE
values, "default" for none; "nvidia-smi" for `nvidia-smi --query-gpu=timestamp,power.draw,
utilization.gpu,memory.used -lms INTERVAL` measured the same way; "baseline" for the powerfit binary
that BASELINE names, an earlier build, under its default schedule) the run is repeated under each,
ROUNDS times interleaved.

usage: [SCHEDULES=...] python3 validation/thread_cost.py POWERFIT [SOURCES|all] [ROUNDS] [SECONDS] [INTERVAL_MS]"""
import collections
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

POWERFIT = sys.argv[1]
SOURCES = sys.argv[2] if len(sys.argv) > 2 else "nvml"
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 3
SECONDS = float(sys.argv[4]) if len(sys.argv) > 4 else 12.0
INTERVAL_MS = int(sys.argv[5]) if len(sys.argv) > 5 else 100
SCHEDULES = [s for s in os.environ.get("SCHEDULES", "default").split(";") if s]


def thread_times(pid):
    """Each thread's time on a CPU (ns), and how many times any of them was put on one."""
    times, wakes = collections.Counter(), 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as comm, open(f"/proc/{pid}/task/{tid}/schedstat") as stat:
                name = comm.read().strip()
                fields = stat.read().split()
                times[name if name not in ("powerfit", "nvidia-smi") else "main"] += int(fields[0])
                wakes += int(fields[2])
        except FileNotFoundError:
            pass  # the thread ended between the listing and the read
    return times, wakes


def one_run(schedule, db):
    env = dict(os.environ)
    env.pop("POWERFIT_NVML_SCHEDULE", None)
    if schedule not in ("default", "baseline"):
        env["POWERFIT_NVML_SCHEDULE"] = schedule
    binary = os.environ["BASELINE"] if schedule == "baseline" else POWERFIT
    if schedule == "nvidia-smi":
        command = ["nvidia-smi", "--query-gpu=timestamp,power.draw,utilization.gpu,memory.used", "--format=csv,noheader",
                   f"-lms={INTERVAL_MS}"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        threading.Timer(SECONDS, process.terminate).start()
    else:
        command = [binary, "run", "-q", "-i", f"{INTERVAL_MS}ms", "-o", db]
        if SOURCES != "all":
            command += ["--sources", SOURCES]
        process = subprocess.Popen(command + ["--", "sleep", str(SECONDS)], env=env)
    time.sleep(1.0)
    (first, first_wakes), t0 = thread_times(process.pid), time.monotonic()
    time.sleep(SECONDS - 2.0)
    (last, last_wakes), t1 = thread_times(process.pid), time.monotonic()
    process.wait()
    samples = (t1 - t0) * 1e3 / INTERVAL_MS
    return {name: (last[name] - first[name]) * 1e-3 / samples for name in last}, (last_wakes - first_wakes) / samples


def main():
    per = {s: collections.defaultdict(list) for s in SCHEDULES}
    wakes = {s: [] for s in SCHEDULES}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(ROUNDS):
            for schedule in SCHEDULES:
                threads, woken = one_run(schedule, os.path.join(scratch, "cost.db"))
                for name, us in threads.items():
                    per[schedule][name].append(us)
                wakes[schedule].append(woken)
    print(f"CPU per sample (µs) by thread, sources {SOURCES}, {INTERVAL_MS} ms, median of {ROUNDS} runs of "
          f"{SECONDS:.0f} s (steady state: the first and last second left out)")
    for schedule in SCHEDULES:
        names = sorted(per[schedule], key=lambda n: -statistics.median(per[schedule][n]))
        total = sum(statistics.median(per[schedule][n]) for n in names)
        cells = "  ".join(f"{n} {statistics.median(per[schedule][n]):.0f}" for n in names)
        print(f"{schedule:40} total {total:5.0f}   {cells}   wake-ups {statistics.median(wakes[schedule]):.1f}")


main()
