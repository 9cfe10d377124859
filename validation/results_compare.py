"""Two machines of a fit-test database side by side: for each device, batch and network that both
ran, the mean over the repeats of the measured energy per inference (mJ, inside the inference
window) and of inferences per second on each, their ratio (second machine over first), and each
network's rank by energy per inference among the networks both ran at that device and batch, on
each machine; then the idle floors. Machines are named as validation/results_matrix.py names them
(by hardware); rows whose model files differ between the two machines are marked.

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
        entry = per.setdefault((machine(cpu, cores, gpus), device, batch, model),
                               {"mj": [], "rate": [], "files": set()})
        entry["mj"].append(1e3 * measured / inferences)
        entry["rate"].append(rate)
        entry["files"].add((sha or "")[:8])
    return {key: (statistics.fmean(v["mj"]), statistics.fmean(v["rate"]), v["files"]) for key, v in per.items()}


def main(path, first, second):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    table = means(con)
    shared = sorted({key[1:] for key in table if key[0] == first} & {key[1:] for key in table if key[0] == second})
    if not shared:
        sys.exit(f"no device, batch and network ran with measured energy on both {first!r} and {second!r}")

    def rank(where, device, batch, model):
        peers = [k for k in shared if k[0] == device and k[1] == batch]
        ordered = sorted(peers, key=lambda k: table[(where, *k)][0])
        return ordered.index((device, batch, model)) + 1

    print(f"A = {first}, B = {second}")
    print()
    print("| device | batch | network | A mJ/inference | B mJ/inference | B/A energy | A inferences/s "
          "| B inferences/s | B/A rate | rank on A | rank on B |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for device, batch, model in shared:
        a, b = table[(first, device, batch, model)], table[(second, device, batch, model)]
        same = "" if a[2] == b[2] else " (files differ)"
        print(f"| {device} | {batch} | {model}{same} | {a[0]:.1f} | {b[0]:.1f} | {b[0] / a[0]:.2f} | {a[1]:.0f} "
              f"| {b[1]:.0f} | {b[1] / a[1]:.2f} | {rank(first, device, batch, model)} | {rank(second, device, batch, model)} |")
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
