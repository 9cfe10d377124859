#!/usr/bin/python3
"""The same TorchScript model and batches as `powerfit bench`, run from Python (Debian's
python3-torch): the loop a user would otherwise write. Prints inferences per second.
usage: python_torch_loop.py MODEL DATA_DIR BATCH MIN_SECONDS THREADS [DEVICE]"""
import sys
import time

import numpy as np
import torch

model_path, data_dir, batch, min_seconds, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
device = sys.argv[6] if len(sys.argv) > 6 else "cpu"
if threads > 0:
    torch.set_num_threads(threads)
inputs = torch.from_numpy(np.load(f"{data_dir}/inputs.npy"))
labels = torch.from_numpy(np.load(f"{data_dir}/labels.npy"))
model = torch.jit.load(model_path, map_location=device).eval()


def one_pass():
    correct = 0
    for first in range(0, len(inputs), batch):
        # As powerfit does: the batch goes to the device, the scores come back to the host.
        scores = model(inputs[first:first + batch].to(device)).cpu()
        correct += int((scores.argmax(dim=1) == labels[first:first + batch]).sum())
    return correct


with torch.inference_mode():
    for _ in range(10):
        one_pass()
    done, start = 0, time.perf_counter()
    while True:
        one_pass()
        done += len(inputs)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
print(f"{done / elapsed:.3f}")
