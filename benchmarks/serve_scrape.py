"""A scrape of `powerfit serve` against node-exporter's (Debian's prometheus-node-exporter) on
the same made-up large machine: 64 CPUs in /proc/stat, a RAPL package whose counter advances
(tests/programs/rapl_simulator), three hwmon chips (an AMD GPU card's), and for powerfit eight GPUs through the test suite's fake libnvidia-ml. Each exporter
is scraped ROUNDS times back to back; reported: the median scrape latency and the exporter's
CPU time (user + system, from /proc/PID/stat) per scrape, over the scraping stretch, with
powerfit sampling at 1 s meanwhile (its sampling is in its figure).

usage: python3 benchmarks/serve_scrape.py BUILD_DIR [ROUNDS]"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

FIXTURES = os.path.join(os.path.dirname(__file__), "../tests/fixtures")


def make_machine(root):
    proc = os.path.join(root, "proc")
    os.makedirs(proc)
    lines = ["cpu  %d 0 %d %d 0 0 0 0 0 0" % (64 * 1000, 64 * 200, 64 * 5000)]
    lines += ["cpu%d %d 0 200 5000 0 0 0 0 0 0" % (i, 1000 + i) for i in range(64)]
    with open(os.path.join(proc, "stat"), "w") as f:
        f.write("\n".join(lines) + "\nintr 0\nctxt 0\nbtime 0\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n")
    shutil.copy("/proc/meminfo", os.path.join(proc, "meminfo"))
    sys_root = os.path.join(root, "sys")
    shutil.copytree(os.path.join(FIXTURES, "amdgpu-card/sys/class/hwmon"), os.path.join(sys_root, "class/hwmon"),
                    symlinks=True, dirs_exist_ok=True)
    devices = os.path.join(FIXTURES, "amdgpu-card/sys/devices")
    if os.path.isdir(devices):
        shutil.copytree(devices, os.path.join(sys_root, "devices"), symlinks=True, dirs_exist_ok=True)
    return proc, sys_root


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def measure(url, pid, rounds):
    for _ in range(5):
        urllib.request.urlopen(url).read()  # warm up
    latencies = []
    before = cpu_ticks(pid)
    for _ in range(rounds):
        start = time.perf_counter()
        body = urllib.request.urlopen(url).read()
        latencies.append(time.perf_counter() - start)
    used = (cpu_ticks(pid) - before) / os.sysconf("SC_CLK_TCK")
    return statistics.median(latencies), used / rounds, len(body)


def main():
    build = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    root = tempfile.mkdtemp(prefix="powerfit-scrape-")
    proc, sys_root = make_machine(root)
    # A RAPL package drawing 100 W, its counter advancing as the kernel's does.
    simulator = subprocess.Popen([os.path.join(build, "tests/rapl_simulator"), root, "100"])
    time.sleep(0.5)
    env = dict(os.environ, POWERFIT_NVML_LIBRARY=os.path.join(build, "tests/fake_nvml/libnvidia-ml.so.1"), FAKE_NVML_GPUS="8")
    powerfit = subprocess.Popen([os.path.join(build, "src/powerfit"), "--proc-root", proc, "--sys-root", sys_root, "serve",
                                 "--listen", "127.0.0.1:0", "-i", "1s", "--sources", "procfs.cpu,rapl,hwmon,nvml"],
                                env=env, stderr=subprocess.PIPE, text=True)
    line = powerfit.stderr.readline()
    match = re.search(r"http://([0-9.:]+)/metrics", line)
    assert match, line + powerfit.stderr.read()
    address = match.group(1)
    node = subprocess.Popen(["prometheus-node-exporter", "--collector.disable-defaults", "--collector.cpu",
                             "--collector.rapl", "--collector.hwmon", f"--path.procfs={proc}", f"--path.sysfs={sys_root}",
                             "--web.listen-address=127.0.0.1:19109"], stderr=subprocess.DEVNULL)
    time.sleep(2)
    try:
        ours = measure(f"http://{address}/metrics", powerfit.pid, rounds)
        theirs = measure("http://127.0.0.1:19109/metrics", node.pid, rounds)
    finally:
        powerfit.terminate()
        node.terminate()
        powerfit.wait()
        node.wait()
        simulator.kill()
        simulator.wait()
        shutil.rmtree(root)
    print(f"{rounds} scrapes each; medians of latency; CPU per scrape over the stretch")
    print(f"{'exporter':40} {'latency (ms)':>13} {'CPU/scrape (ms)':>16} {'bytes':>8}")
    for name, (latency, cpu, size) in (("powerfit serve (64 CPUs, RAPL, hwmon, 8 GPUs)", ours),
                                       ("node-exporter (cpu, rapl, hwmon)", theirs)):
        print(f"{name:40} {latency * 1e3:13.2f} {cpu * 1e3:16.2f} {size:8}")
    print(f"ratio node-exporter / powerfit: latency {theirs[0] / ours[0]:.1f}x, CPU {theirs[1] / max(ours[1], 1e-9):.1f}x")


if __name__ == "__main__":
    main()
