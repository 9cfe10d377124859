"""The Python module: a region's CPU time and the counts come back right; misuse raises."""
import json
import os
import subprocess
import time

import pytest

import powerfit


def burn(seconds):
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        pass


def test_region_cpu_time_and_counts(tmp_path):
    database = tmp_path / "py.db"
    with powerfit.Session(out=str(database), interval="20ms", label="pytest") as session:
        with session.region("loading"):
            pass
        with session.region("inference"):
            burn(0.3)
        session.report(inferences=500, correct=450, model="burner")
    summary = session.summary
    regions = {region["name"]: region for region in summary["regions"]}
    assert regions["inference"]["thread_cpu_s"] == pytest.approx(0.3, abs=0.03)
    assert regions["inference"]["seconds"] >= 0.3
    assert summary["inferences"] == 500 and summary["correct"] == 450
    assert summary["accuracy_percent"] == pytest.approx(90.0)
    assert summary["samples"] > 5
    assert database.exists()


def test_a_region_says_what_it_cost_when_it_ends_while_the_session_goes_on():
    # Zeus's windows: an epoch's time and energy logged from a training loop, the session going on.
    edges = []
    with powerfit.Session(interval="20ms", sources=["procfs.cpu", "estimate.cpu"]) as session:
        time.sleep(0.1)  # the estimate, a rate, begins at the second sample
        epochs = []
        for _ in range(2):
            with session.region("epoch", sync=lambda: edges.append(time.monotonic())) as epoch:
                assert epoch.result is None
                burn(0.3)
            epochs.append(epoch.result)
            assert session._session.running
    assert len(edges) == 4  # before each edge of each epoch
    for result in epochs:
        assert result["name"] == "epoch"
        assert result["duration_s"] >= 0.3 and result["thread_cpu_s"] == pytest.approx(0.3, abs=0.05)
        assert result["to_s"] > result["from_s"]
        assert result["estimated_energy_j"] > 0  # no meter here: the estimate, labelled as such
        assert result["measured_energy_j"] is None
        assert sum(c["energy_j"] for c in result["channels"] if c["estimated"]) == pytest.approx(result["estimated_energy_j"])
    # Within about an interval's worth of the summary's figure, which is exact at the edges.
    regions = [r for r in session.summary["regions"] if r["name"] == "epoch"]
    for result, region in zip(epochs, regions):
        assert result["duration_s"] == pytest.approx(region["seconds"])
        assert result["estimated_energy_j"] == pytest.approx(region["estimated_energy_j"], rel=0.25)


def test_decorator_keeps_the_last_summary():
    @powerfit.measure(interval="10ms")
    def work():
        burn(0.1)
        return 42

    assert work() == 42
    assert work.last_summary["regions"][0]["name"] == "call"
    assert work.last_summary["regions"][0]["thread_cpu_s"] == pytest.approx(0.1, abs=0.03)


def test_misuse_raises_with_a_message():
    with pytest.raises(powerfit.Error, match="interval"):
        powerfit.Session(interval="soon")
    session = powerfit.Session(interval="10ms")
    with pytest.raises(powerfit.Error, match="start"):
        session.stop()
    session.start()
    with pytest.raises(powerfit.Error, match="already"):
        session.start()
    with pytest.raises(powerfit.Error, match="counts"):
        session.report(inferences=1, correct=2)
    assert session.stop()["samples"] > 0
    with pytest.raises(powerfit.Error):
        powerfit.Session(out="/nonexistent/dir/x.db").start()
    # A negative or NaN tariff gave negative CO2e and cost; the command line refused it.
    for bad in (-3.0, float("nan"), float("inf")):
        with pytest.raises(powerfit.Error, match="carbon intensity"):
            powerfit.Session(carbon_intensity=bad)
        with pytest.raises(powerfit.Error, match="price"):
            powerfit.Session(price=bad)


def test_sampling_runs_without_the_gil():
    # A busy Python thread keeps the GIL; the sampler still takes its ticks. Held by the GIL it
    # would take two (start and stop); a loaded machine may miss deadlines, which it counts.
    with powerfit.Session(interval="10ms") as session:
        burn(0.5)
    sampled = session.summary["samples"]
    assert sampled >= 10
    assert sampled + session.summary["missed_deadlines"] >= 40


def test_baseline_and_inference_window_decide_what_is_scored():
    with powerfit.Session(interval="20ms", baseline="200ms") as session:
        burn(0.1)  # loading
        start = time.time()
        burn(0.2)
        session.report(inferences=100, correct=80, inference_window=(start, time.time()))
    summary = session.summary
    assert summary["baseline"]["duration_s"] == pytest.approx(0.2, abs=0.05)
    assert summary["scored_on"] == "inference window"
    window = summary["window_estimated_energy_j"]
    assert 0 < window < summary["estimated_energy_j"]
    assert summary["energy_per_inference_j"] == pytest.approx(window / 100)


def test_sources_and_gpus_given_as_the_command_line_gives_them():
    # A string's characters were taken as names: sources="procfs.memory" asked for a source "p".
    with powerfit.Session(interval="20ms", sources="procfs.memory,procfs.cpu") as session:
        pass
    assert {channel["source"] for channel in session.summary["channels"]} == {"procfs.memory", "procfs.cpu"}
    # A GPU by its index, as an int or a string: refused here (no NVML), naming that GPU.
    for gpus in (0, "0", [0]):
        with pytest.raises(powerfit.Error, match=r"GPUs chosen \(0\)"):
            powerfit.Session(gpus=gpus).start()


def test_chosen_sources_alone_are_sampled():
    with powerfit.Session(interval="20ms", sources=["procfs.memory"]) as session:
        pass
    assert {channel["source"] for channel in session.summary["channels"]} == {"procfs.memory"}
    with pytest.raises(powerfit.Error, match="thermometer"):
        powerfit.Session(sources=["thermometer"]).start()


def test_a_run_scored_from_python_shows_in_powerfit_report(tmp_path):
    database, page = tmp_path / "api.db", tmp_path / "report.html"
    with powerfit.Session(out=str(database), interval="20ms", label="scored from python") as session:
        with session.region("inference"):
            burn(0.2)
        session.report(inferences=200, correct=190, model="burner-net")
    composite = session.summary["composite_score"]
    subprocess.run([os.environ["POWERFIT_BINARY"], "report", str(database), "-o", str(page)], check=True)
    html = page.read_text()
    assert "burner-net (scored from python)" in html  # model and label
    assert f"{composite:.2f}" in html  # the score the session gave is the one the report shows


def test_version_and_carbon_beside_the_joules():
    assert powerfit.__version__.count(".") >= 1
    with powerfit.Session(interval="20ms", carbon_intensity=100.0, price=0.5) as session:
        burn(0.2)
    summary = session.summary
    assert summary["carbon_intensity_g_per_kwh"] == 100.0
    for kind in ("measured", "estimated"):
        joules = summary.get(f"{kind}_energy_j")
        if joules is None:
            assert summary[f"{kind}_co2e_g"] is None
        else:
            assert abs(summary[f"{kind}_co2e_g"] - joules / 3.6e6 * 100.0) < 1e-12
            assert abs(summary[f"{kind}_cost"] - joules / 3.6e6 * 0.5) < 1e-12


def test_jupyter_cell_magic_measures_a_cell():
    from IPython.testing.globalipapp import get_ipython

    ipython = get_ipython()
    ipython.run_line_magic("load_ext", "powerfit")
    captured = ipython.run_cell("%%powerfit --interval 20ms\ntotal = sum(i * i for i in range(300000))\n")
    assert captured.success, captured.error_in_exec
    assert ipython.user_ns["total"] == sum(i * i for i in range(300000))
    summary = ipython.user_ns["_powerfit"]
    assert summary["samples"] >= 2
    assert [region["name"] for region in summary["regions"]] == ["cell"]
    assert summary["exit_status"] == 0
    # A cell that raises is a failed run, as a `with` block that raises is.
    ipython.run_cell("%%powerfit --interval 20ms\n1 / 0\n")
    assert ipython.user_ns["_powerfit"]["exit_status"] == 1


def test_a_block_that_raises_records_a_failed_run_that_is_not_scored(tmp_path):
    # A `with` block that raised was stopped as a success: counts reported before the error were
    # scored and pooled with the runs that succeeded.
    database = tmp_path / "failed.db"
    with pytest.raises(ZeroDivisionError):
        with powerfit.Session(out=str(database), interval="20ms") as session:
            session.report(inferences=100, correct=90, model="crashes")
            burn(0.1)
            1 / 0
    assert session.summary["exit_status"] == 1
    listing = subprocess.run([os.environ["POWERFIT_BINARY"], "score", str(database), "--json"], check=True,
                             capture_output=True, text=True).stdout
    (run,) = json.loads(listing)
    assert run["scored"] is False and "ended with status 1" in run["why"], run
    with powerfit.Session(out=str(database), interval="20ms") as session:
        session.report(inferences=100, correct=90, model="works")
    assert session.summary["exit_status"] == 0
