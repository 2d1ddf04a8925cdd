#!/usr/bin/env bash
# quickstart.sh - on a fresh Debian machine: install what is missing, build, and run the
# default pipeline (configs/quick.yaml) on the bundled CMU data with every core.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The build type the test suite builds and checks.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
exec jobs/local.sh "${1:-configs/quick.yaml}"
