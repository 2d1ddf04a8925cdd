#!/usr/bin/env bash
# skeleton_knn.sh - the skeleton stage's nearest-neighbour workload ("all entropy
# jobs": J single-joint 3-D searches + J(J-1)/2 joint-pair 6-D searches, k = 1, over
# all N poses), timed three ways on the same data:
#   kd-tree (this project, one thread), brute force (N = 18,072 only, a subset of
#   queries extrapolated), scipy.spatial.cKDTree with workers = 1 and 2.
# Sizes: N = 18,072 x 10 joints (the seed paper's) and N = 100,000 x 15 joints; two
# data models (a Gaussian tree model, and a mocap-like random walk over time).
# Our single-thread figure is compared with scipy's 1- and 2-thread ones; the stage
# splits the same jobs over MPI ranks. Prints figures, never fails on speed (it fails
# only if a program fails, or brute force and the kd-tree disagree).
# Env: DP_BUILD (build dir, holds bench_knn), DP_SOURCE (source dir); REPS (best of,
# default 3) for N = 18,072 and REPS_LARGE (default 1: a pass there takes minutes)
# for N = 100,000. The machine is shared and noisy: compare figures from one run.
set -euo pipefail
build=${DP_BUILD:?set DP_BUILD to the build directory}
src=${DP_SOURCE:?set DP_SOURCE to the source directory}
reps=${REPS:-3}
reps_large=${REPS_LARGE:-1}
py=/usr/bin/python3 # Debian's scipy installs for this interpreter only
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tests/CMakeLists.txt builds bench programs in its own binary dir (build/tests/)
bench=""
for c in "$build/bench_knn" "$build/tests/bench_knn"; do
  [[ -x $c ]] && bench=$c && break
done
[[ -n $bench ]] || { echo "skeleton_knn: bench_knn not found under $build (build first)"; exit 1; }

have_scipy=1
if ! "$py" -c 'import scipy.spatial' 2>/dev/null; then
  echo "skeleton_knn: scipy not importable by $py (apt-get install python3-scipy); skipping the peer"
  have_scipy=0
fi

run_size() { # n joints model reps [brute queries]
  local n=$1 j=$2 model=$3 reps=$4 brute=${5:-0}
  echo
  echo "=== N = $n, $j joints, model $model ==="
  local args=(--n "$n" --joints "$j" --model "$model" --reps "$reps" --write "$tmp/poses.bin")
  [[ $brute -gt 0 ]] && args+=(--brute "$brute")
  "$bench" "${args[@]}"
  if [[ $brute -gt 0 ]]; then # the stage queries in blocks of 4096 rows (skeleton.block)
    "$bench" --n "$n" --joints "$j" --model "$model" --reps "$reps" --block 4096 | grep kdtree |
      sed 's/^kdtree /kdtree, blocks of 4096 rows:/'
  fi
  if [[ $have_scipy -eq 1 ]]; then
    "$py" "$src/tests/bench/knn_scipy.py" "$tmp/poses.bin" "$n" "$j" --workers 1,2 --reps "$reps"
  fi
}

echo "skeleton_knn: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for model in tree walk; do
  run_size 18072 10 "$model" "$reps" 1000
  run_size 100000 15 "$model" "$reps_large"
done
