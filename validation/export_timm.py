"""Exports the networks of the paper's fit test with timm to TorchScript, each at the input size
it was designed (evaluated) for, with random weights: no model hub is reachable, and the
arithmetic, hence the energy, does not depend on the weights' values. The weights are drawn by
numpy, from a seed per tensor, at the spread the network's own initialisation gives each tensor,
so that the weights do not depend on the machine: torch's own draw, seeded alike, depends on
the CPU kernels torch picks (validation/weights_by_capability.py), and the exports of three of
these networks differed between lent machines (validation/export_repeat.py compares them);
`--torch-weights` keeps torch's draw. The accuracy used for
scoring is each network's published ImageNet-1k top-1, recorded in models.json and given to
`powerfit bench --accuracy`, where it is stored and shown as declared.

usage: python3 validation/export_timm.py [--torch-weights] OUT_DIR [NAME...]   (default: every network below)"""
import json
import os
import sys
import time
import zlib

import numpy
import torch

# name in timm, input size, published top-1 (%), and where that figure comes from.
NETWORKS = [
    ("resnet50", 224, 76.1, "He et al. 2016 (torchvision's reproduction: 76.13)"),
    ("inception_resnet_v2", 299, 80.1, "Szegedy et al. 2017, single crop (19.9% top-1 error)"),
    ("nasnetalarge", 331, 82.7, "Zoph et al. 2018, NASNet-A (6 @ 4032), 331x331"),
    ("mobilenetv3_large_100", 224, 75.2, "Howard et al. 2019, MobileNetV3-Large 1.0"),
    ("mobilenetv3_small_100", 224, 67.4, "Howard et al. 2019, MobileNetV3-Small 1.0"),
    ("tf_efficientnetv2_s", 384, 83.9, "Tan & Le 2021, EfficientNetV2-S, ImageNet-1k, 384"),
    ("tf_efficientnetv2_m", 480, 85.1, "Tan & Le 2021, EfficientNetV2-M, ImageNet-1k, 480"),
    ("tf_efficientnetv2_l", 480, 85.7, "Tan & Le 2021, EfficientNetV2-L, ImageNet-1k, 480"),
]


def is_drawn(tensor):
    """A tensor initialisation drew at random: floating, and not all one value (ones, zeros)."""
    return tensor.is_floating_point() and tensor.numel() >= 2 and not bool(torch.all(tensor == tensor.flatten()[0]))


def rounded_spread(tensor):
    """The tensor's sample standard deviation, rounded to two digits."""
    return float(f"{tensor.double().std().item():.2g}")


def draw_portable_weights(model, name):
    """Replaces every tensor that initialisation drew at random (any floating tensor whose values
    are not all alike) by numpy's normal draws from a seed made of the network's and the tensor's
    names, scaled to the tensor's spread rounded to two digits (so that the last bits in which
    two machines' draws differ do not move it). Tensors set to constants (ones, zeros) are kept."""
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if not is_drawn(tensor):
                continue
            spread = numpy.float32(rounded_spread(tensor))
            draws = numpy.random.default_rng(zlib.crc32(f"{name}/{key}".encode())).standard_normal(tensor.shape, dtype=numpy.float32)
            tensor.copy_(torch.from_numpy(draws * spread))


def main():
    import timm  # here, so that draw_portable_weights can be tried where timm is not installed

    arguments = sys.argv[1:]
    torch_weights = "--torch-weights" in arguments
    arguments = [a for a in arguments if a != "--torch-weights"]
    out = arguments[0]
    chosen = arguments[1:]
    os.makedirs(out, exist_ok=True)
    record = {}
    for name, size, top1, source in NETWORKS:
        if chosen and name not in chosen:
            continue
        torch.manual_seed(0)  # each network's weights alike whichever others are exported with it
        start = time.time()
        model = timm.create_model(name, pretrained=False).eval()
        if not torch_weights:
            draw_portable_weights(model, name)
        with torch.no_grad():
            traced = torch.jit.trace(model, torch.randn(1, 3, size, size))
        traced.save(os.path.join(out, f"{name}.pt"))
        parameters = sum(p.numel() for p in model.parameters())
        record[name] = {"input_size": size, "declared_top1": top1, "source": source, "parameters": parameters,
                        "weights": "torch" if torch_weights else "numpy " + numpy.__version__,
                        "timm": timm.__version__, "torch": torch.__version__}
        print(f"{name:24} {size:4d}px {parameters / 1e6:7.2f} M parameters  exported in {time.time() - start:5.1f} s", flush=True)
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump(record, f, indent=2)


if __name__ == "__main__":
    main()
