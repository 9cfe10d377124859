"""Are the fit test's exports the same file every time, and on every machine? Exports the chosen
networks once per variant, each in a fresh Python process (as separate calls of the GPU machine
do), and prints per network each export's SHA-256, how many archive records and tensors differ
from the first variant's, and, given the manifest an earlier call wrote (on another machine, say),
how many differ from that call's export of the same variant. Writes this call's manifest (the
SHA-256 of every file, record and tensor) to MANIFEST_OUT.

usage: python3 validation/export_repeat.py WORK_DIR MANIFEST_OUT VARIANTS NAME... [--against MANIFEST]
  VARIANTS: ';'-separated; each is 'plain' or space-separated tokens, KEY=VALUE setting the
  environment (PYTHONHASHSEED=0, ATEN_CPU_CAPABILITY=default) and --options for export_timm.py."""
import hashlib
import json
import os
import platform
import subprocess
import sys
import zipfile

import torch


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def manifest_of(path):
    with open(path, "rb") as f:
        whole = sha256(f.read())
    with zipfile.ZipFile(path) as z:
        records = {info.filename.split("/", 1)[1]: sha256(z.read(info)) for info in z.infolist()}
    module = torch.jit.load(path, map_location="cpu")
    named = dict(module.named_parameters())
    named.update(dict(module.named_buffers()))
    tensors = {k: sha256(v.detach().contiguous().numpy().tobytes()) for k, v in named.items()}
    return {"file": whole, "records": records, "tensors": tensors}


def differing(a, b):
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


def compared(this, other):
    records, tensors = differing(this["records"], other["records"]), differing(this["tensors"], other["tensors"])
    shown = ", ".join(records[:3]) + (f" and {len(records) - 3} more" if len(records) > 3 else "")
    return f"{len(records)} records ({shown or 'none'}), {len(tensors)} of {len(this['tensors'])} tensors"


def main():
    arguments = sys.argv[1:]
    against = None
    if "--against" in arguments:
        at = arguments.index("--against")
        with open(arguments[at + 1]) as f:
            against = json.load(f)
        del arguments[at:at + 2]
    work, manifest_out, variants, names = arguments[0], arguments[1], arguments[2].split(";"), arguments[3:]
    here = os.path.dirname(os.path.abspath(__file__))
    manifest = {"machine": {"cpu_capability": torch.backends.cpu.get_cpu_capability(), "torch": torch.__version__,
                            "python": platform.python_version()}, "exports": {}}
    for i, variant in enumerate(variants):
        tokens = [] if variant == "plain" else variant.split()
        env = dict(os.environ)
        env.pop("PYTHONHASHSEED", None)
        env.update(t.split("=", 1) for t in tokens if "=" in t and not t.startswith("--"))
        options = [t for t in tokens if t.startswith("--")]
        out = os.path.join(work, f"export-{i}")
        subprocess.run([sys.executable, os.path.join(here, "export_timm.py"), *options, out, *names], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        manifest["exports"][variant] = {n: manifest_of(os.path.join(out, f"{n}.pt")) for n in names}
    with open(manifest_out, "w") as f:
        json.dump(manifest, f)
    print(f"this machine: {manifest['machine']}")
    if against:
        print(f"earlier call: {against['machine']}")
    first = variants[0]
    for name in names:
        for variant in variants:
            this = manifest["exports"][variant][name]
            line = f"{name:22} {variant:42} {this['file'][:8]}"
            if variant != first:
                line += f"  against '{first}': {compared(this, manifest['exports'][first][name])}"
            earlier = (against or {}).get("exports", {}).get(variant, {}).get(name)
            if earlier:
                line += f"  against the earlier call: {earlier['file'][:8]}, {compared(this, earlier)}"
            print(line)


if __name__ == "__main__":
    main()
