#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds a consumer against it with find_package, runs it,
# and imports the installed Python package.
set -euo pipefail
build=$1 source=$(cd "$(dirname "$0")" && pwd) scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
cmake -S "$source" -B "$scratch/consumer" -DCMAKE_PREFIX_PATH="$scratch/prefix" > /dev/null
cmake --build "$scratch/consumer" > /dev/null
LD_LIBRARY_PATH="$scratch/prefix/lib" "$scratch/consumer/consumer"
site=$(find "$scratch/prefix" -type d -name powerfit -path '*-packages/*' | head -n 1)
PYTHONPATH=$(dirname "$site") /usr/bin/python3 -c "import powerfit; print('python package:', powerfit.Session)"
