# lib.sh - shared helpers for the integration tests (sourced, not a test itself).
# ctest sets DP_BIN (the depthpose binary) and DP_SOURCE (the source tree).
set -u
: "${DP_BIN:?DP_BIN must point at the depthpose binary}"
: "${DP_SOURCE:?DP_SOURCE must point at the source tree}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Sanitized builds: Open MPI's own allocations are not ours to chase.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
cd "$DP_SOURCE"
T=$(mktemp -d /tmp/dp-test.XXXXXX)
trap '[ -n "${DP_KEEP:-}" ] || rm -rf "$T"' EXIT
FAILS=0

# dp_mpi N ARGS...: run depthpose on N ranks (oversubscribed: CI has 2 cores), 300 s cap.
dp_mpi() {
  local n=$1; shift
  timeout 300 mpirun -np "$n" --oversubscribe "$DP_BIN" "$@"
}

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; FAILS=$((FAILS + 1)); }
check() { # check "description" command...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
  echo "all checks passed"
}

# A small run on part of the bundled data: two walking subjects, test subject 2.
tiny_config() { # tiny_config FILE [extra yaml appended under stages.sample]
  cat > "$1" <<YAML
run:
  name: tiny
  seed: 7
stages:
  ingest:
    sources:
      - format: bvh
        files: ["data/cmu/07/07_0*.bvh", "data/cmu/02/02_0[1-3].bvh"]
    every: 4
    min_motion_mm: 20
    test_subjects: [2]
  skeleton:
    k: 1
  sample:
    count: 3000
  render:
    synth_count: 120
    real_test_views: 1
    max_real_poses: 40
    batch: 32
  train:
    network: {channels: [4, 4, 8, 8], pool_after: [2, 4], fc: [32], downsample: 4}
    detection: {epochs: 1, lr: 0.002}
    regression: {epochs: 2, lr: 0.002}
    end_to_end: {epochs: 1, lr: 0.001}
    batch: 8
    checkpoint_every: 5
YAML
}

# same_datasets A B: the files' datasets and attributes are equal (h5diff), and bytes too.
same_h5() { h5diff -q "$1" "$2" >/dev/null 2>&1 && cmp -s "$1" "$2"; }
