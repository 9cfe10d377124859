"""Two machines of a fit-test database side by side: for each device, batch and network that both
ran, the mean over the repeats of the measured energy per inference (mJ, inside the inference
window) and of inferences per second on each, their ratio (second machine over first), and each
network's rank by energy per inference among the networks both ran at that device and batch, on
each machine; then the idle floors. Machines are named as validation/results_matrix.py names them
(by hardware). Only runs of the same model file (SHA-256) are set side by side; a network
benched on both machines from different files is listed after the table, not compared.

usage: python3 validation/results_compare.py DATABASE MACHINE_A MACHINE_B"""
import statistics
import sqlite3
import sys

from results_matrix import machine


def means(con):
    per = {}
    for cpu, cores, gpus, device, batch, model, sha, inferences, rate, measured in con.execute(
            """SELECT r.cpu_model, r.cpu_cores, r.gpu_models, w.device, w.batch_size, w.model, w.model_sha256,
                      w.inferences, w.throughput_per_s, w.window_measured_energy_j
               FROM workload_reports w JOIN runs r ON r.id = w.run_id
               WHERE w.inferences > 0 AND w.window_measured_energy_j IS NOT NULL"""):
        entry = per.setdefault((machine(cpu, cores, gpus), device, batch, model, (sha or "")[:8]), {"mj": [], "rate": []})
        entry["mj"].append(1e3 * measured / inferences)
        entry["rate"].append(rate)
    return {key: (statistics.fmean(v["mj"]), statistics.fmean(v["rate"])) for key, v in per.items()}


def main(path, first, second):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    table = means(con)
    shared = sorted({key[1:] for key in table if key[0] == first} & {key[1:] for key in table if key[0] == second})
    if not shared:
        sys.exit(f"no device, batch and network ran with measured energy on both {first!r} and {second!r}")

    def rank(where, key):
        peers = [k for k in shared if k[:2] == key[:2]]
        ordered = sorted(peers, key=lambda k: table[(where, *k)][0])
        return ordered.index(key) + 1

    print(f"A = {first}, B = {second}")
    print()
    print("| device | batch | network | A mJ/inference | B mJ/inference | B/A energy | A inferences/s "
          "| B inferences/s | B/A rate | rank on A | rank on B |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for key in shared:
        device, batch, model, _ = key
        a, b = table[(first, *key)], table[(second, *key)]
        print(f"| {device} | {batch} | {model} | {a[0]:.1f} | {b[0]:.1f} | {b[0] / a[0]:.2f} | {a[1]:.0f} "
              f"| {b[1]:.0f} | {b[1] / a[1]:.2f} | {rank(first, key)} | {rank(second, key)} |")
    print()
    for where, other in ((first, second), (second, first)):
        elsewhere = {k[1:4] for k in table if k[0] == other}
        apart = sorted(k[1:] for k in table if k[0] == where and k[1:] not in shared and k[1:4] in elsewhere)
        for device, batch, model, sha in apart:
            print(f"not compared: {model} at batch {batch} on {device} from file {sha} on {where} only")
    print()
    floors = {}
    for cpu, cores, gpus, measured in con.execute(
            """SELECT r.cpu_model, r.cpu_cores, r.gpu_models, b.measured_power_w
               FROM baselines b JOIN runs r ON r.id = b.run_id
               WHERE r.label LIKE '% idle floor' AND b.measured_power_w IS NOT NULL"""):
        floors.setdefault(machine(cpu, cores, gpus), []).append(measured)
    for where in (first, second):
        values = floors.get(where, [])
        if values:
            print(f"idle floor of {where}: median {statistics.median(values):.1f} W, "
                  f"{min(values):.1f} to {max(values):.1f} W over {len(values)} benches")


if __name__ == "__main__":
    main(*sys.argv[1:4])
