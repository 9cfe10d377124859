#!/usr/bin/python3
"""Scores a PyTorch model under `powerfit run`: trains a small convolutional network on the
`digits` data set that scikit-learn ships (a few seconds on a CPU), then, as the measured part,
classifies the held-out images and reports the counts to powerfit.

Uses Debian's python3-torch and python3-sklearn:

    sudo apt-get install python3-torch python3-sklearn
    powerfit run -o digits.db --label digits-cnn -- /usr/bin/python3 examples/score_pytorch_digits.py
    powerfit score digits.db

usage: score_pytorch_digits.py [REPEATS]  (passes over the held-out images, default 200)"""
import json
import os
import sys
import time

import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(0)
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
labels = torch.tensor(digits.target)
train_x, test_x, train_y, test_y = train_test_split(images, labels, test_size=0.2, random_state=0, stratify=labels)

model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(32 * 2 * 2, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(30):
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(train_x), train_y)
    loss.backward()
    optimizer.step()

# The measured inference: every held-out image, `repeats` times, batch of 32. Its start and end
# go into the report, so that powerfit scores the energy of this loop alone, without training.
model.eval()
window_start = time.time()
inferences = correct = correct_top5 = 0
with torch.no_grad():
    for _ in range(repeats):
        for start in range(0, len(test_x), 32):
            logits = model(test_x[start:start + 32])
            truth = test_y[start:start + 32]
            top5 = logits.topk(5, dim=1).indices
            inferences += len(truth)
            correct += int((top5[:, 0] == truth).sum())
            correct_top5 += int((top5 == truth.unsqueeze(1)).any(dim=1).sum())

window_end = time.time()
parameters = sum(p.numel() for p in model.parameters())
# Multiply-accumulates per image, from the layer shapes: conv1 8x8x16x(1x3x3), conv2 4x4x32x(16x3x3), fc 128x10.
macs = 8 * 8 * 16 * 9 + 4 * 4 * 32 * 16 * 9 + 128 * 10
report = {"inferences": inferences, "correct": correct, "correct_top5": correct_top5, "model": "digits-cnn",
          "device": "cpu", "batch_size": 32, "dataset": "sklearn digits, 20% held out", "parameters": parameters,
          "macs": macs, "inference_window": [window_start, window_end]}
print(json.dumps(report), file=sys.stderr)
if "POWERFIT_REPORT_FILE" in os.environ:
    with open(os.environ["POWERFIT_REPORT_FILE"], "w") as out:
        json.dump(report, out)
