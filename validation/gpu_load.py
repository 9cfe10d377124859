"""A GPU load of known shape: bf16 matrix products back to back for SECONDS seconds.

usage: python3 gpu_load.py SECONDS"""
import sys
import time

import torch

seconds = float(sys.argv[1])
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
products = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    for _ in range(10):
        c = a @ b
    torch.cuda.synchronize()
    products += 10
print(f"{products} products of 8192^3 in {seconds:.0f} s", file=sys.stderr)
