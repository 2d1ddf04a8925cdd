#!/usr/bin/env bash
# render.sh - single-thread frames/s of the render core (tests/bench/bench_render.c):
# parametric body + floor + wall at the Human3.6M ToF resolution 176x144 and at
# 320x240, raster only and with the sensor model and labels, both faces drawn and with
# back faces culled. Prints figures, never fails on speed.
# Env: DP_BUILD (build dir), FRAMES (default 5000).
set -euo pipefail
build=${DP_BUILD:?set DP_BUILD to the build directory}
frames=${FRAMES:-5000}
bench=""
for c in "$build/tests/bench_render" "$build/bench_render"; do
  [[ -x $c ]] && bench=$c && break
done
[[ -n $bench ]] || { echo "render: bench_render not found under $build (build first)"; exit 1; }
echo "render: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for size in 176x144 320x240; do
  "$bench" --frames "$frames" --size "$size"
  "$bench" --frames "$frames" --size "$size" --cull
done
