"""On the GPU machine, after `validation/gpu_fit_test.sh bench`: checks `powerfit bench --device cuda`.

1. Joules: one ResNet-50 bench at batch 64 while NVML's own energy counter is read independently
   (pynvml, every 50 ms) and nvidia-smi traces power every 100 ms, both in parallel; each is taken
   over powerfit's inference window and compared with powerfit's gpu0.energy for that window.
2. Slowdown: throughput of a bare LibTorch loop (no powerfit) against `powerfit bench` sampling at
   100 ms and at 10 ms, interleaved, three rounds, same model, batches and data.
3. powerfit's C++ loop against the same TorchScript model run from Python (torch.jit.load), at
   batch 64 and batch 1.
4. From the fit test's database: each configuration's coefficient of variation of energy per
   inference over its repeats, and the card's idle power from the baselines.
Prints tables; writes WORK/validate.db.

usage: python3 validation/validate_bench_gpu.py POWERFIT WORK OUT [PARTS] [ROUNDS] [SECONDS]
PARTS: a comma-separated choice of energy, slowdown, python, spread (default all); the slowdown takes
ROUNDS interleaved rounds (default 3) of SECONDS-long passes (default 10)."""
import datetime
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time

import numpy as np
import pynvml

POWERFIT, WORK, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
PARTS = sys.argv[4].split(",") if len(sys.argv) > 4 else ["energy", "slowdown", "python", "spread"]
ROUNDS = int(sys.argv[5]) if len(sys.argv) > 5 else 3
SECONDS = float(sys.argv[6]) if len(sys.argv) > 6 else 10.0
BUILD = os.path.dirname(os.path.dirname(POWERFIT))
MODEL = os.path.join(WORK, "models", "resnet50.pt")
DB = os.path.join(WORK, "validate.db")
lines = []


def say(text=""):
    print(text, flush=True)
    lines.append(text)


def npy_data(size, samples=256):
    directory = os.path.join(WORK, f"npy-{size}")
    if not os.path.exists(os.path.join(directory, "labels.npy")):
        os.makedirs(directory, exist_ok=True)
        rng = np.random.default_rng(0)
        np.save(os.path.join(directory, "inputs.npy"), rng.random((samples, 3, size, size), dtype=np.float32))
        np.save(os.path.join(directory, "labels.npy"), np.zeros(samples, dtype=np.int64))
    return directory


def bench(batch, interval, seconds=10, label="validate"):
    summary = os.path.join(WORK, f"{label}.json")
    subprocess.run([POWERFIT, "-q", "bench", "-m", MODEL, "--name", "resnet50", "-d", npy_data(224), "-b", str(batch),
                    "--device", "cuda", "-i", interval, "--min-time", f"{seconds}s", "--baseline", "0", "-o", DB,
                    "--label", label, "--summary-json", summary], check=True)
    with open(summary) as f:
        result = json.load(f)
    repeat = result["repeats"][0]
    return result, repeat, repeat["inferences"] / repeat["inference_s"]


def bare(batch, seconds=10):
    out = subprocess.run([os.path.join(BUILD, "benchmarks", "bare_torch_loop"), MODEL, npy_data(224), str(batch), str(seconds),
                          "0", "cuda"], check=True, capture_output=True, text=True).stdout
    return float(out)


def python_loop(batch, seconds=10):
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, os.path.join(here, "..", "benchmarks", "python_torch_loop.py"), MODEL, npy_data(224),
                          str(batch), str(seconds), "0", "cuda"], check=True, capture_output=True, text=True).stdout
    return float(out)


def energy_check():
    pynvml.nvmlInit()
    handle = pynvml.nvmlDeviceGetHandleByIndex(0)
    counter = []
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            counter.append((time.time(), pynvml.nvmlDeviceGetTotalEnergyConsumption(handle) / 1000.0))
            time.sleep(0.05)

    trace_path = os.path.join(WORK, "nvidia-smi.csv")
    with open(trace_path, "w") as trace_file:
        smi = subprocess.Popen(["nvidia-smi", "--query-gpu=timestamp,power.draw", "--format=csv,noheader,nounits",
                                "-lms", "100"], stdout=trace_file)
        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(1.0)
        result, repeat, throughput = bench(64, "100ms", 12, "energy-check")
        time.sleep(1.0)
        stop.set()
        poller.join()
        smi.terminate()
        smi.wait()
    db = sqlite3.connect(DB)
    start_ns, w0, w1 = db.execute("""SELECT r.start_wall_ns, w.window_start_s, w.window_end_s FROM runs r
                                     JOIN workload_reports w ON w.run_id = r.id WHERE r.id = ?""", (repeat["run_id"],)).fetchone()
    t0, t1 = start_ns * 1e-9 + w0, start_ns * 1e-9 + w1
    gpu_j = [c["energy_j"] for c in repeat["channels"] if c["name"] == "gpu0.energy"][0]

    def at(series, t):
        for (ta, va), (tb, vb) in zip(series, series[1:]):
            if ta <= t <= tb:
                return va + (vb - va) * (t - ta) / (tb - ta)
        raise ValueError("window outside the pynvml series")

    pynvml_j = at(counter, t1) - at(counter, t0)
    trace = []
    for line in open(trace_path):
        stamp, watts = [part.strip() for part in line.split(",")]
        try:
            trace.append((datetime.datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S.%f").timestamp(), float(watts)))
        except ValueError:
            continue
    inside = [(t0, None)] + [p for p in trace if t0 < p[0] < t1] + [(t1, None)]
    powers = [p for p in trace]
    def power_at(t):
        before = [p for p in powers if p[0] <= t]
        return before[-1][1] if before else powers[0][1]
    inside = [(t, w if w is not None else power_at(t)) for t, w in inside]
    smi_j = sum(0.5 * (wa + wb) * (tb - ta) for (ta, wa), (tb, wb) in zip(inside, inside[1:]))
    say("1. GPU joules over powerfit's inference window (ResNet-50, batch 64, 100 ms sampling)")
    say(f"   window {t1 - t0:.2f} s, {repeat['inferences']} inferences, {throughput:.0f} inferences/s")
    say(f"   powerfit gpu0.energy  {gpu_j:10.1f} J")
    say(f"   pynvml counter        {pynvml_j:10.1f} J   powerfit differs by {100 * (gpu_j - pynvml_j) / pynvml_j:+.3f}%")
    say(f"   nvidia-smi trace      {smi_j:10.1f} J   powerfit differs by {100 * (gpu_j - smi_j) / smi_j:+.3f}%  ({len(trace)} readings)")
    say(f"   mean power {gpu_j / (t1 - t0):.1f} W")


def slowdown():
    say()
    say(f"2. Throughput without powerfit (bare LibTorch loop) and with powerfit bench sampling, interleaved x{ROUNDS}, "
        f"{SECONDS:g} s passes, batch 64")
    rows = {"bare": [], "100ms": [], "10ms": [], "python": []}
    for _ in range(ROUNDS):
        rows["bare"].append(bare(64, SECONDS))
        rows["100ms"].append(bench(64, "100ms", SECONDS, "slowdown-100ms")[2])
        rows["10ms"].append(bench(64, "10ms", SECONDS, "slowdown-10ms")[2])
        if "python" in PARTS:
            rows["python"].append(python_loop(64, SECONDS))
    rows = {k: v for k, v in rows.items() if v}
    median = {k: statistics.median(v) for k, v in rows.items()}
    for k, v in rows.items():
        say(f"   {k:7} " + "  ".join(f"{x:9.1f}" for x in v) + f"   median {median[k]:9.1f}/s")
    say(f"   slowdown at 100 ms: {100 * (median['bare'] - median['100ms']) / median['bare']:+.2f}%   "
        f"at 10 ms: {100 * (median['bare'] - median['10ms']) / median['bare']:+.2f}%")
    if "python" not in PARTS:
        return
    say()
    say(f"3. powerfit's C++ loop / Python (torch.jit.load), batch 64: {median['100ms'] / median['python']:.3f}x")
    b1 = {"powerfit": bench(1, "100ms", 10, "python-b1")[2], "python": python_loop(1), "bare": bare(1)}
    say(f"   batch 1: bare {b1['bare']:.1f}/s, powerfit {b1['powerfit']:.1f}/s, Python {b1['python']:.1f}/s: "
        f"powerfit / Python = {b1['powerfit'] / b1['python']:.3f}x")


def spread():
    path = os.path.join(WORK, "fit.db")
    if not os.path.exists(path):
        return
    db = sqlite3.connect(path)
    say()
    say("4. Energy per inference over repeats (gpu0.energy in the inference window), and idle power")
    rows = db.execute("""SELECT w.model, w.batch_size, e.energy_j / w.inferences FROM workload_reports w
                         JOIN window_channel_energy e ON e.run_id = w.run_id JOIN channels c ON c.id = e.channel_id
                         WHERE c.name = 'gpu0.energy' ORDER BY w.model, w.batch_size, w.run_id""").fetchall()
    groups = {}
    for model, batch, joules in rows:
        groups.setdefault((model, batch), []).append(joules)
    for (model, batch), values in groups.items():
        cv = statistics.stdev(values) / statistics.mean(values) * 100 if len(values) > 1 else float("nan")
        say(f"   {model:24} batch {batch:3d}: {statistics.mean(values) * 1e3:9.3f} mJ/inference, CV {cv:5.2f}% over {len(values)}")
    idle = [w for (w,) in db.execute("SELECT measured_power_w FROM baselines WHERE from_run_uuid IS NULL AND measured_power_w IS NOT NULL")]
    if idle:
        say(f"   idle power (measured baselines): median {statistics.median(idle):.1f} W, range {min(idle):.1f}-{max(idle):.1f} W over {len(idle)}")


if "energy" in PARTS:
    energy_check()
if "slowdown" in PARTS:
    slowdown()
if "spread" in PARTS:
    spread()
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "validate.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
