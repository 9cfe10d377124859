"""Are the fit test's exports the same file every time? Exports the chosen networks several times,
each time in a fresh Python process (as separate calls of the GPU machine do), under the hash
seeds given, and prints per network each export's SHA-256, the archive records whose bytes differ
between the first export and each other, and whether their parameters and buffers are equal.

usage: python3 validation/export_repeat.py WORK_DIR SEEDS NAME...
  SEEDS: comma-separated PYTHONHASHSEED values, one export each; "random" leaves it unset."""
import difflib
import hashlib
import os
import subprocess
import sys
import zipfile

import torch


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def records(path):
    with zipfile.ZipFile(path) as z:
        return {info.filename.split("/", 1)[1]: z.read(info) for info in z.infolist()}


def tensors(path):
    module = torch.jit.load(path, map_location="cpu")
    named = dict(module.named_parameters())
    named.update(dict(module.named_buffers()))
    return named


def show_difference(key, a, b):
    """A few lines of how one record differs: a text diff for code, sizes and the first
    differing byte for the rest."""
    try:
        lines = list(difflib.unified_diff(a.decode().splitlines(), b.decode().splitlines(), lineterm="", n=0))
        print(f"    {key}:", *[line[:160] for line in lines[2:10]], sep="\n      ")
    except UnicodeDecodeError:
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        print(f"    {key}: {len(a)} against {len(b)} bytes, first difference at byte {at}: "
              f"{a[max(0, at - 24):at + 24]!r} / {b[max(0, at - 24):at + 24]!r}")


def main():
    work, seeds, names = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    here = os.path.dirname(os.path.abspath(__file__))
    exports = []
    for i, seed in enumerate(seeds):
        out = os.path.join(work, f"export-{i}")
        env = dict(os.environ)
        env.pop("PYTHONHASHSEED", None)
        if seed != "random":
            env["PYTHONHASHSEED"] = seed
        subprocess.run([sys.executable, os.path.join(here, "export_timm.py"), out, *names], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        exports.append(out)
    print(f"{'network':24} {'export':>6} {'hash seed':>9} {'sha256':10} records differing from export 0; tensors")
    for name in names:
        first = os.path.join(exports[0], f"{name}.pt")
        first_records, first_tensors = records(first), tensors(first)
        for i, (seed, out) in enumerate(zip(seeds, exports)):
            path = os.path.join(out, f"{name}.pt")
            these = records(path)
            differing = sorted(k for k in set(these) | set(first_records) if these.get(k) != first_records.get(k))
            other = tensors(path)
            same = other.keys() == first_tensors.keys() and all(torch.equal(other[k], first_tensors[k]) for k in other)
            shown = ", ".join(differing[:4]) + (f" and {len(differing) - 4} more" if len(differing) > 4 else "")
            print(f"{name:24} {i:6d} {seed:>9} {sha256(path)[:8]:10} {len(differing)} ({shown or 'none'}); "
                  f"tensors {'equal' if same else 'DIFFER'}")
            for key in differing[:2]:
                show_difference(key, first_records.get(key, b""), these.get(key, b""))


if __name__ == "__main__":
    main()
