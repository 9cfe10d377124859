#!/usr/bin/env python3
"""The smallest workload that powerfit scores: it does its "inferences" and writes the counts to
the file named by $POWERFIT_REPORT_FILE, which `powerfit run` sets.

    powerfit run -o runs.db -- python3 examples/report_counts.py 2000 1900
    powerfit score runs.db

usage: report_counts.py INFERENCES CORRECT [MODEL [SETUP_SECONDS]]"""
import json
import os
import sys
import time

inferences, correct = int(sys.argv[1]), int(sys.argv[2])
model = sys.argv[3] if len(sys.argv) > 3 else "example"
setup_seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
time.sleep(setup_seconds)  # stands in for loading a model: not part of the inference
start = time.time()
total = 0
for i in range(inferences * 2000):  # stands in for the model's work
    total += i * i
end = time.time()

report_path = os.environ.get("POWERFIT_REPORT_FILE")
if report_path:
    with open(report_path, "w") as report:
        json.dump({"inferences": inferences, "correct": correct, "model": model, "device": "cpu",
                   "inference_window": [start, end]}, report)
