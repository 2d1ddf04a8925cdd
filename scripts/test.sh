#!/usr/bin/env bash
# test.sh - build and run every test: the normal build (unit + integration tests), then
# the AddressSanitizer/UndefinedBehaviorSanitizer build (unit + integration tests).
# Benchmarks (ctest -L bench) and SLURM tests (ctest -L slurm) are not part of it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest -j"$jobs" -LE 'bench|slurm' --output-on-failure)
cmake -S . -B build-asan -DDEPTHPOSE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=0 ctest -j"$jobs" -LE 'bench|slurm|slow' --output-on-failure)
# SLURM tests under a real one-node cluster, when the shared tools are beside us.
slurm_tools=../shared/tools/local-slurm
if [ -x "$slurm_tools/start.sh" ]; then
  D=/tmp/depthpose-slurm
  LOCAL_SLURM_CPUS=${LOCAL_SLURM_CPUS:-4} "$slurm_tools/start.sh" "$D" >/dev/null
  trap '"$slurm_tools/stop.sh" "$D" >/dev/null 2>&1' EXIT
  export SLURM_CONF=$D/etc/slurm.conf DP_JOBCHECK=$PWD/$slurm_tools/jobcheck.sh
  (cd build && ctest -L slurm --output-on-failure)
else
  echo "note: $slurm_tools not found; SLURM tests not run"
fi
echo "all tests passed"
