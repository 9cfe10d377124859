"""Helpers for the fleet tests: powerfit serve on a simulated machine, scraped over HTTP."""
import os
import re
import signal
import subprocess
import time
import urllib.request

import pytest

POWERFIT = os.environ.get("POWERFIT_BINARY", "powerfit")
SIMULATOR = os.environ.get("RAPL_SIMULATOR", "rapl_simulator")


class Machine:
    """A simulated machine drawing `watts` through RAPL, under `root`."""

    def __init__(self, root, watts):
        self.root = str(root)
        self.process = subprocess.Popen([SIMULATOR, self.root, str(watts)])
        zone = os.path.join(self.root, "sys/class/powercap/intel-rapl:0/energy_uj")
        deadline = time.monotonic() + 30
        while not (os.path.exists(zone) and os.path.getsize(zone) > 0) and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self):
        self.process.kill()
        self.process.wait()


class Server:
    """powerfit serve on a free loopback port; `url` is its /metrics."""

    def __init__(self, *args, env=None):
        self.process = subprocess.Popen([POWERFIT, *args], stderr=subprocess.PIPE, text=True, env=env)
        line = self.process.stderr.readline()
        match = re.search(r"http://([0-9.]+:[0-9]+)/metrics", line)
        assert match, line + self.process.stderr.read()
        self.address = match.group(1)
        self.url = f"http://{self.address}/metrics"

    def scrape(self):
        return urllib.request.urlopen(self.url, timeout=30).read().decode()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        rest = self.process.stderr.read()
        return self.process.wait(timeout=60), rest


def series(text, name, **labels):
    """The values of `name` whose labels include `labels`."""
    values = []
    for line in text.splitlines():
        if line.startswith(name + "{"):
            label_text, value = line[len(name) + 1:].rsplit("} ", 1)
        elif line.startswith(name + " "):
            label_text, value = "", line[len(name) + 1:]
        else:
            continue
        found = dict(re.findall(r'([a-z_]+)="([^"]*)"', label_text))
        if all(found.get(key) == want for key, want in labels.items()):
            values.append(float(value))
    return values


@pytest.fixture
def machine(tmp_path):
    made = []

    def make(watts, name="node"):
        made.append(Machine(tmp_path / name, watts))
        return made[-1]

    yield make
    for one in made:
        one.stop()
