#!/usr/bin/env bash
# makehuman.sh - single-thread frames/s of the render core with the MakeHuman body
# against the parametric body in the same run (tests/bench/bench_makehuman.c): real CMU
# poses, 12 shapes, floor + wall, ToF sensor and labels, at the Human3.6M ToF
# resolution 176x144. Target: >= 500 frames/s per core with the MakeHuman body.
# Prints figures (and the machine's load, since it may be shared), never fails on speed.
# Env: DP_BUILD (build dir), DP_SOURCE (source tree), FRAMES (default 5000).
set -euo pipefail
build=${DP_BUILD:?set DP_BUILD to the build directory}
export DP_SOURCE=${DP_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
frames=${FRAMES:-5000}
bench=""
for c in "$build/tests/bench_makehuman" "$build/bench_makehuman"; do
  [[ -x $c ]] && bench=$c && break
done
[[ -n $bench ]] || { echo "makehuman: bench_makehuman not found under $build (build first)"; exit 1; }
echo "makehuman: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bench" --frames "$frames" --size 176x144
