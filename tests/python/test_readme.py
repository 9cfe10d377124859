"""Every Python block of the README runs as printed: alone, and the workload's block under
`powerfit run`, where its counts are scored."""
import json
import os
import re
import subprocess
import sys

README = os.path.join(os.path.dirname(__file__), "../../README.md")
POWERFIT = os.environ.get("POWERFIT_BINARY", "powerfit")


def blocks():
    with open(README) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), re.S)


def test_every_python_block_runs(tmp_path):
    found = blocks()
    assert len(found) >= 2
    for number, code in enumerate(found):
        script = tmp_path / f"block{number}.py"
        script.write_text(code)
        outcome = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert outcome.returncode == 0, f"README block {number}:\n{code}\n{outcome.stderr}"


def test_the_workload_block_is_scored_under_powerfit_run(tmp_path):
    code = next(block for block in blocks() if "POWERFIT_REPORT_FILE" in block)
    (tmp_path / "workload.py").write_text(code)
    database = tmp_path / "runs.db"
    run = subprocess.run([POWERFIT, "run", "-q", "-o", str(database), "--", sys.executable, "workload.py"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    scored = json.loads(subprocess.run([POWERFIT, "score", str(database), "--json"], capture_output=True, text=True,
                                       check=True).stdout)
    assert scored[0]["inferences"] == 1000 and scored[0]["correct"] == 912
