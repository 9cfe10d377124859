"""A real Prometheus (Debian's) scraping powerfit serve on loopback: the energy counter's rate is
the simulated machine's power, and every PromQL expression of the Grafana dashboard
(deploy/grafana/powerfit.json) returns data."""
import json
import os
import socket
import subprocess
import time
import urllib.parse
import urllib.request

from conftest import Server

PROMETHEUS = os.environ.get("PROMETHEUS_BINARY", "/usr/bin/prometheus")
DASHBOARD = os.path.join(os.path.dirname(__file__), "../../deploy/grafana/powerfit.json")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def query(port, expression):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    answer = json.load(urllib.request.urlopen(url, timeout=30))
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def wait_for(port, expression, limit=90):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            result = query(port, expression)
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.5)
    return query(port, expression)


def test_prometheus_scrapes_serve_and_the_dashboard_has_data(machine, tmp_path):
    node = machine(40.0)
    env = dict(os.environ, POWERFIT_NVML_LIBRARY=os.environ.get("FAKE_NVML_LIBRARY", ""))
    server = Server("--sys-root", node.root + "/sys", "serve", "--listen", "127.0.0.1:0", "-i", "100ms",
                    "--sources", "rapl,procfs.cpu,procfs.memory,procfs.disk,procfs.net" + (",nvml" if env["POWERFIT_NVML_LIBRARY"] else ""),
                    env=env)
    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                      "scrape_configs:\n  - job_name: powerfit\n    static_configs:\n"
                      f"      - targets: ['{server.address}']\n")
    prometheus = subprocess.Popen([PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                                   f"--web.listen-address=127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Prometheus dates each value at its scrape; the value is as of the newest tick (at most
        # 100 ms earlier), so over 10 s the rate is the power within 1% and a little jitter.
        rate = 'rate(powerfit_energy_joules_total{channel="rapl.package-0.energy"}[10s])'
        wait_for(port, "count_over_time(powerfit_exporter_ticks_total[1m]) >= 11")
        result = wait_for(port, rate)
        assert len(result) == 1, result
        assert abs(float(result[0]["value"][1]) - 40.0) <= 40.0 * 0.02, result

        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
        assert len(expressions) >= 8
        for expression in expressions:
            concrete = (expression.replace("$__rate_interval", "5s").replace("$__range", "1m")
                        .replace('instance=~"$instance"', 'instance=~".*"'))
            assert wait_for(port, concrete, limit=30), f"no data for the dashboard's {expression}"
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=60)
        server.stop()
