#!/usr/bin/env bash
# The wheel installs with pip (no index) into a fresh virtual environment and works there, with no
# build tree on the path: version, a session with a region, counts and carbon, errors as Error.
# usage: wheel_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
wheel=$(ls "$build"/dist/powerfit-*.whl | head -1)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install --quiet --no-index "$wheel"
cd "$scratch"
env -u PYTHONPATH "$scratch/venv/bin/python" - <<'PY'
import os
import powerfit
assert powerfit.__file__.startswith(os.getcwd()), powerfit.__file__  # the venv's copy
assert not hasattr(powerfit, "_powerfit"), "the compiled module is not in the wheel"
assert powerfit.__version__.count(".") >= 1
with powerfit.Session(out="runs.db", interval="20ms", carbon_intensity=100.0) as s:
    with s.region("inference"):
        total = sum(i * i for i in range(2_000_000))
    s.report(inferences=1000, correct=900, model="wheel-check")
summary = s.summary
assert summary["samples"] >= 2, summary
assert [region["name"] for region in summary["regions"]] == ["inference"]
assert summary["model"] == "wheel-check" and summary["inferences"] == 1000
assert summary["carbon_intensity_g_per_kwh"] == 100.0
try:
    powerfit.Session(interval="0s").start()
    raise SystemExit("an interval of 0s was accepted")
except powerfit.Error as error:
    assert "interval" in str(error), error
try:  # a block that raised is a failed run, through the C API as through the compiled module
    with powerfit.Session(out="runs.db", interval="20ms") as failed:
        raise KeyError("inside the block")
except KeyError:
    pass
assert failed.summary["exit_status"] == 1, failed.summary
print("wheel works:", powerfit.__version__, os.path.exists("runs.db"))
PY
