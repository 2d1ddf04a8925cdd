# render_train.sh - figures for render and train through the real binary on the bundled
# data: render frames/s (176x144, ToF noise + backgrounds, HDF5 write included) and bytes
# per frame, 1 vs 2 ranks, for the parametric, MakeHuman and mixed bodies; train images/s
# of the quick network, 1 vs 2 ranks.
# Prints one line per figure; never fails on speed.
set -u
: "${DP_BIN:?}" "${DP_SOURCE:?}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$DP_SOURCE"
T=$(mktemp -d /tmp/dp-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
FRAMES=${DP_BENCH_FRAMES:-20000}
sed -e "s/synth_count: [0-9]*/synth_count: $FRAMES/" -e "s/real_test_views: 1 /real_test_views: 0 /" \
    -e "s/detection: {epochs: [0-9]*/detection: {epochs: 1/" -e "s/regression: {epochs: [0-9]*/regression: {epochs: 1/" \
    -e "s/end_to_end: {epochs: [0-9]*/end_to_end: {epochs: 2/" configs/quick.yaml > "$T/c.yaml"
mpirun -np 2 "$DP_BIN" -q run "$T/c.yaml" --workdir "$T/w" --to sample
# Each body model (quick renders mixed), then the quick config's own render for training.
for model in parametric makehuman mixed; do
  sed "s/body_model: mixed /body_model: $model /" "$T/c.yaml" > "$T/$model.yaml"
  for np in 1 2; do
    mpirun -np $np "$DP_BIN" run "$T/$model.yaml" --workdir "$T/w" --from render --to render --force 2>"$T/log"
    bytes=$(stat -c %s "$T/w/depth.h5")
    frames=$(grep -Eo "done in .*: [0-9]+ frames" "$T/log" | grep -Eo "[0-9]+ frames" | cut -d' ' -f1)
    echo "render $model np=$np: $(grep -Eo '[0-9.]+ s \([0-9]+ frames/s\)' "$T/log") for $frames frames; $((bytes / frames)) bytes/frame on disk"
  done
done
for np in 1 2; do
  mpirun -np $np "$DP_BIN" run "$T/c.yaml" --workdir "$T/w" --from train --to train --force 2>"$T/log"
  echo "train np=$np (quick network, batch 32): $(grep -Eo '[0-9.]+ s \([0-9.]+ images/s' "$T/log")"
done
