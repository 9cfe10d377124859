#!/usr/bin/python3
"""Trains powerfit's bundled model zoo on the `digits` data set that scikit-learn ships (1797
8x8 grey images of handwritten digits, 10 classes) and exports each model to TorchScript
(`.pt`) and ONNX (`.onnx`), with the held-out split as `.npy` and the measured accuracy and
multiply-accumulate counts in `zoo.json`.

Five architectures of very different cost (about 17 thousand to 14 million multiply-accumulates
per image): an MLP, a LeNet-like CNN, a depthwise-separable "mobile" CNN, a small residual
network and a wide CNN. No batch normalisation, so that the arithmetic stays plain convolutions
and matrix products.

Uses Debian's python3-torch and python3-sklearn; deterministic (seed 0), a minute or two on a CPU.
usage: models/train_zoo.py [OUT_DIR]   (default: models/zoo)"""
import json
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo")
torch.manual_seed(0)
torch.set_num_threads(max(1, os.cpu_count() or 1))


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.first = nn.Conv2d(channels, channels, 3, padding=1)
        self.second = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(x + self.second(torch.relu(self.first(x))))


def conv_macs(height, width, in_channels, out_channels, kernel, groups=1):
    """Multiply-accumulates of a stride-1, same-padded convolution: one per weight per output pixel."""
    return height * width * out_channels * (in_channels // groups) * kernel * kernel


ZOO = {
    "mlp": (nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)),
            64 * 128 + 128 * 64 + 64 * 10),
    "lenet": (nn.Sequential(nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(6, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                            nn.Linear(16 * 2 * 2, 32), nn.ReLU(), nn.Linear(32, 10)),
              conv_macs(8, 8, 1, 6, 3) + conv_macs(4, 4, 6, 16, 3) + 64 * 32 + 32 * 10),
    "mobile": (nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.ReLU(), nn.Conv2d(16, 32, 1), nn.ReLU(),
                             nn.MaxPool2d(2),
                             nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.ReLU(), nn.Conv2d(32, 64, 1), nn.ReLU(),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)),
               conv_macs(8, 8, 1, 16, 3) + conv_macs(8, 8, 16, 16, 3, groups=16) + conv_macs(8, 8, 16, 32, 1)
               + conv_macs(4, 4, 32, 32, 3, groups=32) + conv_macs(4, 4, 32, 64, 1) + 64 * 10),
    "resnet": (nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), Residual(32), Residual(32),
                             nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)),
               conv_macs(8, 8, 1, 32, 3) + 4 * conv_macs(8, 8, 32, 32, 3) + 32 * 10),
    "wide": (nn.Sequential(nn.Conv2d(1, 128, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(),
                           nn.MaxPool2d(2), nn.Conv2d(128, 256, 3, padding=1), nn.ReLU(),
                           nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(256, 10)),
             conv_macs(8, 8, 1, 128, 3) + conv_macs(8, 8, 128, 128, 3) + conv_macs(4, 4, 128, 256, 3) + 256 * 10),
}


def main():
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]  # N x 1 x 8 x 8, in [0, 1]
    labels = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(images, labels, test_size=0.2, random_state=0, stratify=labels)
    os.makedirs(os.path.join(OUT, "digits-test"), exist_ok=True)
    np.save(os.path.join(OUT, "digits-test", "inputs.npy"), np.ascontiguousarray(test_x))
    np.save(os.path.join(OUT, "digits-test", "labels.npy"), test_y)

    train_x, train_y = torch.from_numpy(train_x), torch.from_numpy(train_y)
    test_tensor, test_truth = torch.from_numpy(test_x), torch.from_numpy(test_y)
    record = {"dataset": {"name": "sklearn digits", "train": len(train_y), "test": len(test_y),
                          "input_shape": [1, 8, 8], "preprocessing": "pixel / 16, float32", "split_seed": 0},
              "models": {}}
    for name, (model, macs) in ZOO.items():
        torch.manual_seed(0)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
        for epoch in range(40):
            order = torch.randperm(len(train_y))
            for start in range(0, len(order), 64):
                batch = order[start:start + 64]
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(train_x[batch]), train_y[batch]).backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(test_tensor)
            correct = int((logits.argmax(dim=1) == test_truth).sum())
            top5 = int((logits.topk(5, dim=1).indices == test_truth[:, None]).any(dim=1).sum())
        example = test_tensor[:1]
        torch.jit.trace(model, example).save(os.path.join(OUT, f"{name}.pt"))
        torch.onnx.export(model, example, os.path.join(OUT, f"{name}.onnx"), input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          opset_version=13)
        parameters = sum(p.numel() for p in model.parameters())
        record["models"][name] = {"parameters": parameters, "macs_per_image": macs, "test_correct": correct,
                                  "test_correct_top5": top5, "test_images": len(test_y),
                                  "top1_percent": round(100.0 * correct / len(test_y), 4)}
        print(f"{name:8} {parameters:9d} parameters {macs:10d} MACs/image  top-1 {100.0 * correct / len(test_y):6.2f} %")
    with open(os.path.join(OUT, "zoo.json"), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
