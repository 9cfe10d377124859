"""powerfit serve: the fixture machine's power on /metrics, counters that only grow, estimates
labelled, concurrent scrapes, a record kept with -o, bad input refused."""
import concurrent.futures
import sqlite3
import subprocess
import time

from conftest import POWERFIT, Server, series


def test_scrapes_give_the_machines_power_and_its_energy_only_grows(machine, tmp_path):
    node = machine(25.0)
    server = Server("--sys-root", node.root + "/sys", "serve", "--listen", "127.0.0.1:0", "-i", "100ms", "--sources", "rapl")
    try:
        time.sleep(0.5)
        first = server.scrape()
        time.sleep(2.0)
        second = server.scrape()
    finally:
        status, _ = server.stop()
    assert status == 0
    energy = "powerfit_energy_joules_total"
    before = series(first, energy, channel="rapl.package-0.energy", estimated="false")
    after = series(second, energy, channel="rapl.package-0.energy", estimated="false")
    assert len(before) == 1 and len(after) == 1, second
    # The values are as of each scrape's newest tick: 25 W between the two ticks, within 2%.
    tick = "powerfit_exporter_last_tick_timestamp_seconds"
    seconds = series(second, tick)[0] - series(first, tick)[0]
    assert seconds > 1.0
    assert abs((after[0] - before[0]) / seconds - 25.0) <= 25.0 * 0.02
    assert "# TYPE powerfit_energy_joules_total counter" in second
    assert series(second, "powerfit_exporter_cpu_seconds_total")[0] > 0


def test_an_estimate_is_labelled_and_never_in_a_measured_series(tmp_path):
    (tmp_path / "sys").mkdir()  # a machine where nothing measures power: the CPU's is estimated
    server = Server("--sys-root", str(tmp_path / "sys"), "serve", "--listen", "127.0.0.1:0", "-i", "100ms",
                    "--sources", "procfs.cpu,estimate.cpu")
    try:
        time.sleep(0.5)
        text = server.scrape()
    finally:
        server.stop()
    assert series(text, "powerfit_power_watts", channel="cpu.power.estimated", estimated="true")
    assert not series(text, "powerfit_power_watts", estimated="false")
    assert not series(text, "powerfit_energy_joules_total", estimated="false")


def test_concurrent_scrapes_are_answered_whole(machine):
    node = machine(10.0)
    server = Server("--sys-root", node.root + "/sys", "serve", "--listen", "127.0.0.1:0", "-i", "20ms", "--sources", "rapl")
    try:
        time.sleep(0.3)
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            texts = list(pool.map(lambda _: server.scrape(), range(64)))
    finally:
        status, _ = server.stop()
    assert status == 0
    for text in texts:
        assert len(series(text, "powerfit_energy_joules_total", channel="rapl.package-0.energy")) == 1


def test_with_o_the_samples_are_recorded_and_the_run_closed_at_sigterm(machine, tmp_path):
    node = machine(10.0)
    database = tmp_path / "serve.db"
    server = Server("--sys-root", node.root + "/sys", "serve", "--listen", "127.0.0.1:0", "-i", "50ms", "--sources", "rapl",
                    "-o", str(database))
    try:
        time.sleep(1.0)
        server.scrape()
    finally:
        status, rest = server.stop()
    assert status == 0, rest
    assert "recorded as run 1" in rest
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        end_time, = db.execute("SELECT end_time FROM runs WHERE id = 1").fetchone()
        samples, = db.execute("SELECT count(*) FROM samples").fetchone()
        energy, = db.execute("SELECT cs.energy_j FROM channel_summaries cs JOIN channels c ON c.id = cs.channel_id "
                             "WHERE c.name = 'rapl.package-0.energy'").fetchone()
    assert end_time is not None
    assert samples >= 10
    assert energy > 5.0


def test_an_address_that_cannot_be_bound_is_one_line_and_exit_2(tmp_path):
    taken = Server("serve", "--listen", "127.0.0.1:0", "--sources", "procfs.cpu")
    try:
        outcome = subprocess.run([POWERFIT, "serve", "--listen", taken.address, "--sources", "procfs.cpu",
                                  "-o", str(tmp_path / "serve.db")], capture_output=True, text=True, timeout=60)
    finally:
        taken.stop()
    assert outcome.returncode == 2
    assert outcome.stderr.count("\n") == 1 and "--listen" in outcome.stderr, outcome.stderr
    assert not (tmp_path / "serve.db").exists()  # an empty database was left behind
    for address in ("127.0.0.1:99999", "localhost", ":9101", "127.0.0.1:", "127.0.0.1:91x"):
        wrong = subprocess.run([POWERFIT, "serve", "--listen", address], capture_output=True, text=True, timeout=60)
        assert wrong.returncode == 2, (address, wrong.stderr)
        assert wrong.stderr.count("\n") == 1 and "HOST:PORT" in wrong.stderr, wrong.stderr
    bad = subprocess.run([POWERFIT, "serve", "-i", "0s"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2
    named = subprocess.run([POWERFIT, "serve", "-o", str(tmp_path / "out.csv")], capture_output=True, text=True, timeout=60)
    assert named.returncode == 2 and "powerfit export" in named.stderr, named.stderr
    assert not (tmp_path / "out.csv").exists()


def test_export_prometheus_writes_one_runs_totals(machine, tmp_path):
    node = machine(20.0)
    database = tmp_path / "runs.db"
    subprocess.run([POWERFIT, "--sys-root", node.root + "/sys", "run", "-q", "-i", "50ms", "--sources", "rapl",
                    "-o", str(database), "--", "sleep", "1"], check=True)
    text = subprocess.run([POWERFIT, "export", str(database), "--format", "prometheus"], capture_output=True, text=True,
                          check=True).stdout
    total = series(text, "powerfit_run_energy_total_joules", estimated="false")
    duration = series(text, "powerfit_run_duration_seconds")
    assert len(total) == 1 and len(duration) == 1, text
    assert abs(total[0] / duration[0] - 20.0) < 20.0 * 0.1
    assert "# TYPE powerfit_run_energy_joules gauge" in text
