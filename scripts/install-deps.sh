#!/usr/bin/env bash
# install-deps.sh - install the Debian packages depthpose builds and tests with, if any
# is missing. Needs root (or sudo) only when something has to be installed.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
      libopenblas-dev libyaml-dev libcunit1-dev libpng-dev libjson-c-dev)
# The peers the tests compare against (reference fixtures, benchmarks).
if [ "${1:-}" = "--test" ]; then
  PKGS+=(python3-numpy python3-scipy python3-h5py python3-sklearn python3-yaml)
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
