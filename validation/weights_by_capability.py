"""Do torch's seeded weight draws depend on the CPU? On one machine, builds torchvision networks
with random weights (torch.manual_seed(0)) in a fresh process per ATEN_CPU_CAPABILITY (the
vectorised kernels torch picks: default, avx2, avx512; what a machine without AVX-512 would run),
and prints the SHA-256 of all their weights as torch drew them and as export_timm.py's
draw_portable_weights redraws them with numpy. Where the torch column changes with the capability,
two lent machines with different CPUs export different files from the same script.

usage: python3 validation/weights_by_capability.py [NETWORK...]   (default: three torchvision networks)"""
import hashlib
import json
import os
import subprocess
import sys

CAPABILITIES = ["default", "avx2", "avx512"]


def weights_sha(model):
    digest = hashlib.sha256()
    for key, tensor in model.state_dict().items():
        digest.update(key.encode())
        digest.update(tensor.contiguous().numpy().tobytes())
    return digest.hexdigest()[:12]


def child(names):
    import torch
    import torchvision

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from export_timm import draw_portable_weights

    cpu = getattr(torch.backends, "cpu", None)  # torch 2.0 and later say which kernels they picked
    result = {"capability": cpu.get_cpu_capability() if cpu else "?"}
    for name in names:
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval()
        drawn_by_torch = weights_sha(model)
        draw_portable_weights(model, name)
        result[name] = {"torch": drawn_by_torch, "numpy": weights_sha(model)}
    print(json.dumps(result))


def main():
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    names = sys.argv[1:] or ["mobilenet_v3_small", "resnet50", "efficientnet_b0"]
    print(f"{'ATEN_CPU_CAPABILITY':20} {'used':8} " + " ".join(f"{n + ' torch/numpy':>36}" for n in names))
    for capability in CAPABILITIES:
        env = dict(os.environ, ATEN_CPU_CAPABILITY=capability)
        out = subprocess.run([sys.executable, __file__, "--child", *names], env=env, check=True,
                             capture_output=True, text=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        print(f"{capability:20} {result['capability']:8} " +
              " ".join(f"{result[n]['torch'] + '/' + result[n]['numpy']:>36}" for n in names))


if __name__ == "__main__":
    main()
