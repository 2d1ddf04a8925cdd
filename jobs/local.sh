#!/usr/bin/env bash
# local.sh CONFIG [NP] [run options] - run the whole pipeline on this machine with mpirun.
# NP defaults to the number of cores. Resumes: stages that are done are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:?usage: jobs/local.sh CONFIG [NP] [depthpose run options...]}
if [[ ${2:-} =~ ^[0-9]+$ ]]; then np=$2; shift 2; else np=$(nproc); shift 1; fi
bin=${DEPTHPOSE_BIN:-build/depthpose}
[ -x "$bin" ] || { echo "local.sh: $bin not built (cmake -S . -B build && cmake --build build)" >&2; exit 1; }
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
extra=()
[ "$np" -le "$(nproc)" ] || extra=(--oversubscribe)
mpirun -np "$np" "${extra[@]}" "$bin" run "$config" "$@"
"$bin" status "$config"
