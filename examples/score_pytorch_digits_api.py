#!/usr/bin/python3
"""Scores a zoo model from inside Python with the powerfit module (no `powerfit run` around it):
loading is left out, the inference loop is the region that is scored. Then look at it with
`powerfit report digits-api.db -o report.html`.

usage: PYTHONPATH=build/python /usr/bin/python3 examples/score_pytorch_digits_api.py [OUT.db]"""
import os
import sys

import numpy as np
import torch

import powerfit

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO = os.path.join(HERE, "..", "models", "zoo")
out = sys.argv[1] if len(sys.argv) > 1 else "digits-api.db"

with powerfit.Session(out=out, interval="20ms", label="lenet from python") as session:
    with session.region("loading"):
        model = torch.jit.load(os.path.join(ZOO, "lenet.pt")).eval()
        inputs = torch.from_numpy(np.load(os.path.join(ZOO, "digits-test", "inputs.npy")))
        labels = torch.from_numpy(np.load(os.path.join(ZOO, "digits-test", "labels.npy")))
    with session.region("inference"), torch.inference_mode():
        correct, done = 0, 0
        for _ in range(20):
            correct += int((model(inputs).argmax(dim=1) == labels).sum())
            done += len(labels)
    session.report(inferences=done, correct=correct, model="lenet")

summary = session.summary
energy = "measured" if not summary["energy_estimated"] else "ESTIMATED"
print(f"{done} inferences, top-1 {summary['accuracy_percent']:.2f} %, "
      f"{summary['energy_per_inference_j'] * 1e3:.4f} mJ per inference ({energy}), composite {summary['composite_score']:.2f}")
for region in summary["regions"]:
    print(f"  region {region['name']}: {region['seconds']:.3f} s, thread CPU {region['thread_cpu_s']:.3f} s")
