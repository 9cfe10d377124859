#!/usr/bin/env bash
# Installs what powerfit needs to build and test on Debian 12, from Debian's archive alone.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libsqlite3-dev nlohmann-json3-dev libcli11-dev prometheus-cpp-dev
  prometheus slurmd slurmctld slurm-client munge openmpi-bin libpmix-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libtorch-dev libopencv-dev
  chromium
  pybind11-dev python3-dev python3-pytest python3-ipython python3-venv
  python3
  clang libclang-rt-14-dev libfuzzer-14-dev
)
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
