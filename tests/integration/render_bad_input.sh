# Render, bad input: a synthetic pose with a NaN joint, a camera that could sit inside the
# body, impossible intrinsics - each a clear error and no depth.h5.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --to sample 2>/dev/null || fail "ingest..sample"
cp "$T/w/synth.h5" "$T/synth.good"
/usr/bin/python3 - "$T/w/synth.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    p = f["poses"][:]; p[5, 7, 1] = np.nan; f["poses"][:] = p
PY
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --from render --to render 2>"$T/nan.err"; rc=$?
check "NaN joint: non-zero exit" [ $rc -ne 0 ]
check "NaN joint: the message names the pose and the joint" grep -q 'synth.h5 pose 5: body model: joint "l_hand" is not finite' "$T/nan.err"
check "NaN joint: no depth.h5" sh -c "! ls '$T/w'/depth.h5* >/dev/null 2>&1"
cp "$T/synth.good" "$T/w/synth.h5"
sed 's/    batch: 32$/    batch: 32\n    camera: {distance_min_mm: 300}/' "$T/c.yaml" > "$T/near.yaml"
dp_mpi 1 run "$T/near.yaml" --workdir "$T/w" --from render 2>"$T/near.err"; rc=$?
check "camera too close: a config error with file:line" sh -c "[ $rc -ne 0 ] && grep -Eq 'near.yaml:[0-9]+:[0-9]+: stages.render.camera.distance_min_mm: expected a number in \[1500' '$T/near.err'"
sed 's/    batch: 32$/    batch: 32\n    hfov_deg: 0.5/' "$T/c.yaml" > "$T/fov.yaml"
dp_mpi 1 run "$T/fov.yaml" --workdir "$T/w" --from render 2>"$T/fov.err"; rc=$?
check "impossible field of view: a config error" sh -c "[ $rc -ne 0 ] && grep -q 'stages.render.hfov_deg' '$T/fov.err'"
finish
