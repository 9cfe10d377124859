"""Finishing a run, `score` and `report` on a database of many samples, before and after the
samples_by_channel index (schema version 3), both sides in one go, with the ratio.

The database is made by the older powerfit (schema 2, samples indexed by run alone) and filled
with runs shaped like a real one on this machine: the channels of `powerfit run`, one row per
channel per tick, written tick by tick as the recorder writes them, each run with counts so that
it is scored. The older binary is timed on it first; then the newer one migrates it (the index is
built once, timed apart) and is timed the same way. Each figure is the median of ROUNDS.

usage: python3 benchmarks/samples_index.py OLD_POWERFIT NEW_POWERFIT [SAMPLES] [ROUNDS] [WORKDIR]"""
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid


def timed(command, rounds):
    times = []
    for _ in range(rounds):
        start = time.monotonic()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.monotonic() - start)
    return statistics.median(times)


def fill(path, samples, ticks_per_run):
    db = sqlite3.connect(path)
    template = db.execute("SELECT * FROM runs ORDER BY id LIMIT 1").fetchone()
    run_columns = [row[1] for row in db.execute("PRAGMA table_info(runs)")]
    channels = db.execute("SELECT name, source, unit, kind, scope, estimated, in_energy_total, wrap_at FROM channels "
                          "WHERE run_id = ?", (template[0],)).fetchall()
    per_run = len(channels) * ticks_per_run
    runs = max(1, samples // per_run)
    rng = random.Random(0)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    for r in range(runs):
        values = list(template)
        values[run_columns.index("id")] = None
        values[run_columns.index("uuid")] = str(uuid.uuid4())
        run_id = db.execute(f"INSERT INTO runs VALUES ({','.join('?' * len(values))})", values).lastrowid
        ids = [db.execute("INSERT INTO channels (run_id, name, source, unit, kind, scope, estimated, in_energy_total, "
                          "wrap_at) VALUES (?,?,?,?,?,?,?,?,?)", (run_id, *c)).lastrowid for c in channels]
        db.executemany("INSERT INTO samples (run_id, channel_id, t_ns, value) VALUES (?,?,?,?)",
                       ((run_id, ids[i % len(ids)], (i // len(ids)) * 100_000_000, rng.random() * 100.0)
                        for i in range(per_run)))
        for channel_id, (name, _, _, kind, _, _, in_total, _) in zip(ids, channels):
            db.execute("INSERT INTO channel_summaries (channel_id, samples, mean, energy_j) VALUES (?,?,?,?)",
                       (channel_id, ticks_per_run, 50.0, 10.0 * ticks_per_run if in_total else None))
        db.execute("INSERT INTO workload_reports (run_id, inferences, correct, model, device) VALUES (?,?,?,?,?)",
                   (run_id, 10000, 9000 + r % 7, f"model-{r % 5}", "cpu"))
        if r % 20 == 19:
            db.execute("COMMIT")
            db.execute("BEGIN")
    db.execute("COMMIT")
    total = db.execute("SELECT count(*) FROM samples").fetchone()[0]
    db.close()
    return runs, total


def main():
    old, new = sys.argv[1], sys.argv[2]
    samples = int(float(sys.argv[3])) if len(sys.argv) > 3 else 100_000_000
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    work = sys.argv[5] if len(sys.argv) > 5 else "/tmp/powerfit-samples-index"
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "big.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    subprocess.run([old, "run", "-q", "-o", path, "--", "sleep", "0.3"], check=True, stderr=subprocess.DEVNULL)
    start = time.monotonic()
    runs, total = fill(path, samples, 20_000)
    print(f"filled {total:,} samples in {runs} runs in {time.monotonic() - start:.0f} s; "
          f"{os.path.getsize(path) / 2**30:.1f} GiB", flush=True)
    html = os.path.join(work, "report.html")

    def measure(binary):
        return {
            "finish a run (run --baseline 1s -- true)": timed([binary, "run", "-q", "-o", path, "--baseline", "1s", "--",
                                                               "true"], rounds),
            "score": timed([binary, "score", path], rounds),
            "report": timed([binary, "report", path, "-o", html], rounds),
        }

    subprocess.run(["cat", path], check=True, stdout=subprocess.DEVNULL)  # both sides start from a warm cache
    before = measure(old)
    start = time.monotonic()
    subprocess.run([new, "run", "-q", "-o", path, "--", "true"], check=True, stderr=subprocess.DEVNULL)
    migration = time.monotonic() - start
    after = measure(new)
    print(f"\n{total:,} samples, {runs} runs; medians of {rounds}; migration to schema 3 (index built once): "
          f"{migration:.1f} s")
    print(f"{'':44} {'before (s)':>11} {'after (s)':>10} {'ratio':>7}")
    for name in before:
        print(f"{name:44} {before[name]:11.2f} {after[name]:10.2f} {before[name] / after[name]:7.1f}x")


if __name__ == "__main__":
    main()
