"""The layer order of src/ (docs/ARCHITECTURE.md), checked on every #include: a folder includes
only folders below it. The known exceptions are listed here, each with the issue that removes it;
an exception that no longer occurs must be struck from the list, so that the list only shrinks.

usage: python3 check_layers.py SRC_DIR"""
import os
import re
import sys

# Lowest first; a folder may include only folders of a lower rank (and itself).
ORDER = ["core", "sensors", "workload", "dataset", "sampler", "recording", "analysis", "inference", "report",
         "session", "api", "harness", "cli"]
KNOWN = set()


def main(src):
    rank = {name: i for i, name in enumerate(ORDER)}
    found, problems = set(), []
    for root, _, files in os.walk(src):
        layer = os.path.relpath(root, src).split(os.sep)[0]
        if layer == ".":
            continue
        if layer not in rank:
            problems.append(f"{root}: folder '{layer}' has no place in the layer order; add it to ORDER and ARCHITECTURE.md")
            continue
        for name in files:
            if not name.endswith((".cpp", ".hpp")):
                continue
            path = os.path.join(root, name)
            with open(path) as f:
                for number, line in enumerate(f, 1):
                    match = re.match(r'\s*#include "([a-z_]+)/', line)
                    if not match or match.group(1) == layer or match.group(1) not in rank:
                        continue
                    target = match.group(1)
                    if rank[target] < rank[layer]:
                        continue
                    found.add((layer, target))
                    if (layer, target) not in KNOWN:
                        problems.append(f"{path}:{number}: {layer} includes {target}, a layer above it")
    for layer, target in sorted(KNOWN - found):
        problems.append(f"the known exception {layer} -> {target} no longer occurs: strike it from KNOWN")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
