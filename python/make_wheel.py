"""Writes powerfit's wheel: the pure-Python package (powerfit/__init__.py, and _capi.py over the C
API through ctypes) with libpowerfit.so inside it, so that one wheel installs with pip into any
Python 3.9 or newer on this platform, a virtual environment or conda alike.

usage: python3 make_wheel.py LIBPOWERFIT_SO VERSION OUT_DIR"""
import base64
import hashlib
import os
import platform
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def main(library, version, out_dir):
    tag = "py3-none-linux_" + platform.machine()
    info = f"powerfit-{version}.dist-info"
    files = {
        "powerfit/__init__.py": open(os.path.join(HERE, "powerfit/__init__.py"), "rb").read(),
        "powerfit/_capi.py": open(os.path.join(HERE, "powerfit/_capi.py"), "rb").read(),
        "powerfit/libpowerfit.so.0": open(library, "rb").read(),
        f"{info}/METADATA": (f"Metadata-Version: 2.1\nName: powerfit\nVersion: {version}\n"
                             "Summary: Measure what neural-network inference costs: joules, CPU, memory, I/O, scores\n"
                             "Requires-Python: >=3.9\n").encode(),
        f"{info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: powerfit make_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n".encode(),
    }
    record = [record_line(name, data) for name, data in files.items()] + [f"{info}/RECORD,,"]
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"powerfit-{version}-{tag}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            entry.external_attr = (0o755 if name.endswith(".so.0") else 0o644) << 16
            wheel.writestr(entry, data, zipfile.ZIP_DEFLATED)
    print(path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
