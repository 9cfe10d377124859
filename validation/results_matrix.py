"""The fit test's matrix as Markdown, from a powerfit database: one row per machine, device, batch,
network and model file (SHA-256, first 8 hex digits), the mean over its repeats of inferences per
second, of the measured energy per inference inside the inference window (with the CV over the
repeats) and of the ESTIMATED energy per inference (never added to the measured); then the idle
floors (bench's "NAME idle floor" runs) with their settle time. A machine is named by its hardware
as recorded with each run (the GPUs it sampled, else its CPU), never by its hostname.

usage: python3 validation/results_matrix.py DATABASE"""
import json
import sqlite3
import statistics
import sys


def mean_cv(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    mean = statistics.fmean(values)
    cv = statistics.stdev(values) / mean if len(values) > 1 and mean else None
    return mean, cv


def cell(value, format_):
    return "" if value is None else format_.format(value)


def machine(cpu_model, cpu_cores, gpu_models):
    gpus = json.loads(gpu_models or "[]")
    if gpus:
        return " + ".join(sorted(set(gpus)))
    return f"{cpu_model or '(CPU?)'} x{cpu_cores}" if cpu_cores else (cpu_model or "(CPU?)")


def main(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    groups = {}
    for cpu, cores, gpus, device, batch, model, sha, inferences, throughput, measured, estimated in con.execute(
            """SELECT r.cpu_model, r.cpu_cores, r.gpu_models, w.device, w.batch_size, w.model, w.model_sha256,
                      w.inferences, w.throughput_per_s, w.window_measured_energy_j, w.window_estimated_energy_j
               FROM workload_reports w JOIN runs r ON r.id = w.run_id
               WHERE w.inferences > 0 ORDER BY w.device DESC, w.batch_size, w.model, r.gpu_models, r.id"""):
        key = (machine(cpu, cores, gpus), device, batch, model, (sha or "")[:8])
        per = groups.setdefault(key, {"rate": [], "measured": [], "estimated": []})
        per["rate"].append(throughput)
        per["measured"].append(None if measured is None else 1e3 * measured / inferences)
        per["estimated"].append(None if estimated is None else 1e3 * estimated / inferences)
    print("| machine | device | batch | network | model file | repeats | inferences/s | measured mJ/inference | CV "
          "| ESTIMATED mJ/inference |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (where, device, batch, model, sha), per in groups.items():
        rate, _ = mean_cv(per["rate"])
        measured, cv = mean_cv(per["measured"])
        estimated, _ = mean_cv(per["estimated"])
        print(f"| {where} | {device} | {batch} | {model} | {sha} | {len(per['rate'])} | {cell(rate, '{:.0f}')} "
              f"| {cell(measured, '{:.1f}')} | {cell(cv and 100 * cv, '{:.1f}%')} | {cell(estimated, '{:.1f}')} |")
    print()
    print("| machine | idle floor of | sources | settle s | measured W | ESTIMATED W |")
    print("| --- | --- | --- | --- | --- | --- |")
    for cpu, cores, gpus, label, measured, estimated, settle in con.execute(
            """SELECT r.cpu_model, r.cpu_cores, r.gpu_models, r.label, b.measured_power_w, b.estimated_power_w, b.settle_s
               FROM baselines b JOIN runs r ON r.id = b.run_id
               WHERE r.label LIKE '% idle floor' ORDER BY r.gpu_models, r.id"""):
        print(f"| {machine(cpu, cores, gpus)} | {label.removesuffix(' idle floor')} | {'with NVML' if measured is not None else 'no NVML'} "
              f"| {cell(settle, '{:.1f}')} | {cell(measured, '{:.1f}')} | {cell(estimated, '{:.1f}')} |")


if __name__ == "__main__":
    main(sys.argv[1])
