"""A power step of known timing: IDLE seconds idle, then LOAD seconds of bf16 matrix products (the
inference window, reported to powerfit through POWERFIT_REPORT_FILE with its UNIX times), then
AFTER seconds idle.

usage: python3 step_load.py IDLE LOAD AFTER"""
import json
import os
import sys
import time

import torch

idle, load, after = (float(x) for x in sys.argv[1:4])
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
time.sleep(idle)
products = 0
start = time.time()
while time.time() < start + load:
    for _ in range(4):
        c = a @ b
    torch.cuda.synchronize()
    products += 4
end = time.time()
time.sleep(after)
with open(os.environ["POWERFIT_REPORT_FILE"], "w") as f:
    json.dump({"inferences": products, "correct": products, "model": "bf16-matmul-8192",
               "inference_window": [start, end]}, f)
