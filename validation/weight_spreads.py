"""The spread export_timm.py gives each drawn tensor, per network, as this machine computes it:
torch draws the network's own initialisation (seeded as export_timm.py seeds it), and each tensor's
sample standard deviation, rounded to two digits, scales numpy's portable draw. Two machines whose
exports of one network differ can be compared tensor by tensor: a spread that rounds differently
changes that tensor, and so the file.

usage: python3 validation/weight_spreads.py OUT_JSON NAME...
       python3 validation/weight_spreads.py --compare A_JSON B_JSON   (the tensors whose spreads differ)"""
import json
import sys


def spreads(names):
    import timm
    import torch

    from export_timm import is_drawn, rounded_spread  # the choice and rounding the export makes

    result = {"cpu_capability": torch.backends.cpu.get_cpu_capability(), "torch": torch.__version__,
              "timm": timm.__version__, "networks": {}}
    for name in names:
        torch.manual_seed(0)  # as export_timm.py does before each network
        model = timm.create_model(name, pretrained=False).eval()
        table = {}
        for key, tensor in model.state_dict().items():
            if is_drawn(tensor):
                table[key] = [tensor.numel(), tensor.double().std().item(), rounded_spread(tensor)]
        result["networks"][name] = table
    return result


def compare(a, b):
    print(f"A: {a['cpu_capability']}, torch {a['torch']}; B: {b['cpu_capability']}, torch {b['torch']}")
    for name in sorted(set(a["networks"]) & set(b["networks"])):
        ta, tb = a["networks"][name], b["networks"][name]
        exact = sum(1 for k in ta if k in tb and ta[k][1] == tb[k][1])
        rounded = [k for k in ta if k in tb and ta[k][2] != tb[k][2]]
        print(f"{name:24} {len(ta)} drawn tensors: sample spread equal in {exact}, rounded spread different in {len(rounded)}")
        for k in rounded[:10]:
            print(f"    {k:48} {ta[k][0]:8d} values  {ta[k][1]:.6g} -> {ta[k][2]:g}  against  {tb[k][1]:.6g} -> {tb[k][2]:g}")


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(*(json.load(open(p)) for p in sys.argv[2:4]))
    else:
        with open(sys.argv[1], "w") as f:
            json.dump(spreads(sys.argv[2:]), f)
