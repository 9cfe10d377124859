"""Exports the networks of the paper's fit test with timm to TorchScript, each at the input size
it was designed (evaluated) for, with random weights: no model hub is reachable, and the
arithmetic, hence the energy, does not depend on the weights' values. The accuracy used for
scoring is each network's published ImageNet-1k top-1, recorded in models.json and given to
`powerfit bench --accuracy`, where it is stored and shown as declared.

usage: python3 validation/export_timm.py OUT_DIR [NAME...]   (default: every network below)"""
import json
import os
import sys
import time

import timm
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


def main():
    out = sys.argv[1]
    chosen = sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    record = {}
    for name, size, top1, source in NETWORKS:
        if chosen and name not in chosen:
            continue
        torch.manual_seed(0)  # each network's weights alike whichever others are exported with it
        start = time.time()
        model = timm.create_model(name, pretrained=False).eval()
        with torch.no_grad():
            traced = torch.jit.trace(model, torch.randn(1, 3, size, size))
        traced.save(os.path.join(out, f"{name}.pt"))
        parameters = sum(p.numel() for p in model.parameters())
        record[name] = {"input_size": size, "declared_top1": top1, "source": source, "parameters": parameters,
                        "timm": timm.__version__, "torch": torch.__version__}
        print(f"{name:24} {size:4d}px {parameters / 1e6:7.2f} M parameters  exported in {time.time() - start:5.1f} s", flush=True)
    with open(os.path.join(out, "models.json"), "w") as f:
        json.dump(record, f, indent=2)


if __name__ == "__main__":
    main()
