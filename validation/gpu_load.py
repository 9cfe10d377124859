"""A GPU load of known shape: bf16 matrix products back to back for SECONDS seconds; with PERIOD,
PERIOD/2 seconds of products and PERIOD/2 idle in turn (steps of power, up and down, at times the
driver's refreshes do not choose).

usage: python3 gpu_load.py SECONDS [PERIOD]"""
import sys
import time

import torch

seconds = float(sys.argv[1])
half = float(sys.argv[2]) / 2 if len(sys.argv) > 2 else None
a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
b = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
torch.cuda.synchronize()
products = 0
start = time.monotonic()
end = start + seconds
while time.monotonic() < end:
    if half and (time.monotonic() - start) % (2 * half) >= half:
        time.sleep(2 * half - (time.monotonic() - start) % (2 * half))
        continue
    for _ in range(10):
        c = a @ b
    torch.cuda.synchronize()
    products += 10
# The time the products took, not SECONDS: the last ten end after it, so a rate over SECONDS moves
# in steps of ten products (0.3% of 5 s on an H200), too coarse for a slowdown of that size.
elapsed = time.monotonic() - start
print(f"{products} products of 8192^3 in {seconds:.0f} s ({elapsed:.4f} s)", file=sys.stderr)
