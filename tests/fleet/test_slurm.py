"""A real Slurm on this host (scripts/slurm-cluster.sh: munge, slurmctld, slurmd n1, n2, n3),
each node reading its own simulated machine (10, 20, 30 W): `srun -N3 powerfit run` with Slurm's
file patterns, an array job, merge, fit; powerfit around each rank of `srun --mpi=pmix` (six
ranks on three nodes) and of `mpirun -np 4`."""
import json
import os
import subprocess

import pytest

from conftest import POWERFIT, Machine, series

SCRIPT = os.path.join(os.path.dirname(__file__), "../../scripts/slurm-cluster.sh")
WORKLOAD = 'sleep 1.5; echo "{\\"inferences\\": 100, \\"correct\\": 90, \\"model\\": \\"m\\"}" > "$POWERFIT_REPORT_FILE"'


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("slurm")
    machines = {f"n{n}": Machine(root / f"n{n}", 10.0 * n) for n in (1, 2, 3)}
    conf = subprocess.run([SCRIPT, "start", str(root / "cluster")], capture_output=True, text=True)
    assert conf.returncode == 0, conf.stderr
    env = dict(os.environ, SLURM_CONF=conf.stdout.strip())
    yield root, env
    subprocess.run([SCRIPT, "stop", str(root / "cluster")])
    for machine in machines.values():
        machine.stop()


def powerfit_on_node(root, arguments):
    """A shell line that runs powerfit on the node Slurm chose, reading that node's machine."""
    return f'{POWERFIT} --sys-root {root}/$SLURMD_NODENAME/sys {arguments}'


def power_of(database):
    text = subprocess.run([POWERFIT, "export", str(database), "--format", "prometheus"], capture_output=True, text=True,
                          check=True).stdout
    return series(text, "powerfit_run_energy_total_joules", estimated="false")[0] / series(text, "powerfit_run_duration_seconds")[0]


def test_srun_on_three_nodes_then_merge_and_fit(cluster):
    root, env = cluster
    out = root / "out"
    out.mkdir()
    line = powerfit_on_node(root, f"run -q -i 50ms --sources rapl --machine %N -o '{out}/fit-%j-%N.db' -- sh -c '{WORKLOAD}'")
    job = subprocess.run(["srun", "-N3", "sh", "-c", line], env=env, capture_output=True, text=True, timeout=120)
    assert job.returncode == 0, job.stderr
    files = sorted(out.glob("fit-*.db"))
    assert [f.name.split("-")[-1] for f in files] == ["n1.db", "n2.db", "n3.db"], files
    for n, database in enumerate(files, 1):
        assert abs(power_of(database) - 10.0 * n) <= 10.0 * n * 0.02, database
    merged = subprocess.run([POWERFIT, "merge", *map(str, files), "-o", str(root / "all.db")], capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr
    fit = json.loads(subprocess.run([POWERFIT, "fit", str(root / "all.db"), "--json"], capture_output=True, text=True,
                                    check=True).stdout)
    assert fit["machines"] == ["n1", "n2", "n3"]
    scored = json.loads(subprocess.run([POWERFIT, "score", str(root / "all.db"), "--json"], capture_output=True, text=True,
                                       check=True).stdout)
    assert sorted(run["scheduler"]["SLURMD_NODENAME"] for run in scored) == ["n1", "n2", "n3"]
    assert len({run["scheduler"]["SLURM_JOB_ID"] for run in scored}) == 1


def test_an_array_job_names_its_files_by_array_ids(cluster):
    root, env = cluster
    out = root / "array"
    out.mkdir()
    line = powerfit_on_node(root, f"run -q -i 50ms --sources rapl -o '{out}/a-%A_%a.db' -- sh -c '{WORKLOAD}'")
    job = subprocess.run(["sbatch", "--wait", "--array=1-3", "-N1", "-o", str(out / "slurm-%A_%a.out"), "--wrap", line],
                         env=env, capture_output=True, text=True, timeout=180)
    assert job.returncode == 0, job.stderr + "".join(p.read_text() for p in out.glob("slurm-*.out"))
    files = sorted(f.name for f in out.glob("a-*.db"))
    assert len(files) == 3 and [name[-5:] for name in files] == ["_1.db", "_2.db", "_3.db"], files


def test_mpirun_four_ranks_each_measured_the_node_counted_once(tmp_path):
    database = tmp_path / "mpi.db"
    command = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "4", POWERFIT, "run", "-q", "-i", "50ms",
               "-o", str(database), "--", "sleep", "0.5"]
    job = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, OMPI_MCA_plm="isolated", OMPI_MCA_btl="self,tcp"))
    assert job.returncode == 0, job.stdout + job.stderr
    exported = json.loads(subprocess.run([POWERFIT, "export", str(database), "--format", "json"], capture_output=True,
                                         text=True, check=True).stdout)
    ranks = {}
    for row in exported:
        ranks.setdefault(row["OMPI_COMM_WORLD_RANK"], set()).add(row["channel"])
    assert sorted(ranks) == ["0", "1", "2", "3"]
    with_host = [rank for rank, channels in ranks.items() if "cpu.utilization" in channels]
    assert len(with_host) == 1, ranks  # local rank 0 alone samples the node


def test_srun_with_pmix_six_ranks_on_three_nodes_each_node_counted_once(cluster):
    root, env = cluster
    out = root / "pmix"
    out.mkdir()
    line = powerfit_on_node(root, f"run -q -i 50ms -o '{out}/ranks-%j-%N.db' -- sleep 0.5")
    job = subprocess.run(["srun", "--mpi=pmix", "-N3", "-n6", "sh", "-c", line], env=env, capture_output=True, text=True,
                         timeout=120)
    assert job.returncode == 0, job.stderr
    files = sorted(out.glob("ranks-*.db"))
    assert len(files) == 3
    pmix_ranks = set()
    for database in files:
        exported = json.loads(subprocess.run([POWERFIT, "export", str(database), "--format", "json"], capture_output=True,
                                             text=True, check=True).stdout)
        by_local_rank = {}
        for row in exported:
            pmix_ranks.add(row["PMIX_RANK"])
            by_local_rank.setdefault(row["SLURM_LOCALID"], set()).add(row["channel"])
        assert sorted(by_local_rank) == ["0", "1"], database
        assert "rapl.package-0.energy" in by_local_rank["0"]
        assert all(name.startswith("process.") for name in by_local_rank["1"]), by_local_rank["1"]
    assert pmix_ranks == {str(rank) for rank in range(6)}
