# MakeHuman bodies in the render stage: mixed bodies give the same depth.h5 for 1, 2 and 3
# ranks; the labels are the joints of the body drawn (a parametric body's are the pose
# moved by the camera; a MakeHuman body's point along the pose's segments with the
# body's own, constant segment lengths); the assets are inputs (an edited target makes
# render stale); bad shape settings are config errors with file:line.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
sed -i 's/    batch: 32/    batch: 32\n    body_model: mixed/' "$T/c.yaml"
for np in 1 2 3; do
  dp_mpi $np -q run "$T/c.yaml" --workdir "$T/np$np" --to render || fail "mixed render, $np ranks"
done
check "mixed bodies: depth.h5 identical for 1 and 2 ranks" cmp -s "$T/np1/depth.h5" "$T/np2/depth.h5"
check "mixed bodies: depth.h5 identical for 1 and 3 ranks" cmp -s "$T/np1/depth.h5" "$T/np3/depth.h5"
check "labels are the drawn body's joints" /usr/bin/python3 - "$T/np1" <<'PY'
import sys, numpy as np, h5py
w = sys.argv[1]
f, s, p = h5py.File(w + "/depth.h5", "r"), h5py.File(w + "/synth.h5", "r"), h5py.File(w + "/poses.h5", "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]]
J = {n: i for i, n in enumerate(names)}
model, body, origin = f["body_model"][:], f["body"][:], f["origin"][:]
joints, cam, idx = f["joints"][:].astype(float), f["camera"][:].astype(float), f["pose_index"][:]
ok = 0.3 < model.mean() < 0.7 and f.attrs["body_model"] in (b"mixed", "mixed")
ok &= f["makehuman_shapes"].shape == (12, 7) and body[model == 1].max() < 12
def pose(i):  # the world pose frame i was made from
    return (s["poses"] if origin[i] == 0 else p["poses"])[idx[i]].astype(float)
segs = [("torso", "neck"), ("neck", "head"), ("neck", "l_shoulder"), ("l_shoulder", "l_elbow"),
        ("l_elbow", "l_hand"), ("r_shoulder", "r_elbow"), ("r_elbow", "r_hand"),
        ("l_hip", "l_knee"), ("l_knee", "l_foot"), ("r_hip", "r_knee"), ("r_knee", "r_foot")]
lengths = {}
worst_pos = worst_ang = spread = 0.0
for i in range(len(model)):
    R, t = cam[i].reshape(3, 4)[:, :3], cam[i].reshape(3, 4)[:, 3]
    world = pose(i) @ R.T + t  # the requested pose in camera coordinates
    if model[i] == 0:
        worst_pos = max(worst_pos, np.abs(joints[i] - world).max())
        continue
    for a, b in segs:
        d1 = joints[i, J[b]] - joints[i, J[a]]
        d2 = world[J[b]] - world[J[a]]
        c = np.dot(d1, d2) / np.linalg.norm(d1) / np.linalg.norm(d2)
        worst_ang = max(worst_ang, np.degrees(np.arccos(min(1.0, c))))
        lengths.setdefault((body[i], a, b), []).append(np.linalg.norm(d1))
spread = max(max(v) - min(v) for v in lengths.values())
print(f"parametric labels vs pose: {worst_pos:.4f} mm; MakeHuman segment directions: "
      f"{worst_ang:.4f} deg, length spread per shape: {spread:.4f} mm")
ok &= worst_pos < 0.05 and worst_ang < 0.05 and spread < 0.05
sys.exit(0 if ok else 1)
PY
check "depth under a MakeHuman body's torso label is the body" /usr/bin/python3 - "$T/np1/depth.h5" <<'PY'
import sys, numpy as np, h5py
f = h5py.File(sys.argv[1], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]]
t = names.index("torso")
mh = np.nonzero(f["body_model"][:] == 1)[0]
d, j, j2 = f["depth"][:][mh], f["joints"][:][mh], f["joints2d"][:][mh]
v = np.clip(j2[:, t, 1].astype(int), 0, d.shape[1] - 1); u = np.clip(j2[:, t, 0].astype(int), 0, d.shape[2] - 1)
gap = d[np.arange(len(mh)), v, u].astype(float) - j[:, t, 2]
# the torso joint sits inside the trunk: the surface is in front of it by its half-depth
frac = np.mean((gap < 0) & (gap > -300))
print(f"{len(mh)} MakeHuman frames; surface 0-300 mm in front of the torso joint in {frac:.0%}")
sys.exit(0 if frac > 0.8 else 1)
PY

# The assets are inputs: an edited target makes render stale.
cp -r data/makehuman "$T/mh"
sed "s#    body_model: mixed#    body_model: makehuman\n    makehuman: {data: $T/mh, sampled_shapes: 2}#" "$T/c.yaml" > "$T/m.yaml"
dp_mpi 2 -q run "$T/m.yaml" --workdir "$T/m" --to render || fail "makehuman render"
check "makehuman: 12 named + 2 sampled shapes recorded" /usr/bin/python3 -c "
import h5py, sys; f = h5py.File('$T/m/depth.h5', 'r'); n = [x.decode() if isinstance(x, bytes) else x for x in f['makehuman_shapes'].attrs['names']]
sys.exit(0 if len(n) == 14 and n[0] == 'female_average' and n[13] == 'sampled_1' and (f['body_model'][:] == 1).all() else 1)"
"$DP_BIN" status "$T/m.yaml" --workdir "$T/m" > "$T/s1"
echo "# edited" >> "$T/mh/targets/macrodetails/african-female-young.target"
"$DP_BIN" status "$T/m.yaml" --workdir "$T/m" > "$T/s2"
check "render is done before the edit" grep -q "^render *done" "$T/s1"
check "an edited MakeHuman target makes render stale" grep -q "^render *stale" "$T/s2"

# Config errors name the file, line and what was expected.
bad() { # bad NAME YAML-LINES EXPECTED-MESSAGE
  sed "s#    body_model: mixed#$2#" "$T/c.yaml" > "$T/$1.yaml"
  "$DP_BIN" run "$T/$1.yaml" --workdir "$T/bad" > "$T/$1.out" 2>&1
  local rc=$?
  check "$1: exit 1" [ $rc -eq 1 ]
  check "$1: message" grep -q "$3" "$T/$1.out"
}
bad unknown_shape "    body_model: makehuman\n    makehuman: {shapes: [female_average, elf]}" \
  "$T/unknown_shape.yaml:[0-9]*:[0-9]*: stages.render.makehuman.shapes\[1\]: MakeHuman shape \"elf\" is not one of the default shapes"
bad slider "    body_model: makehuman\n    makehuman: {shapes: [{name: tall, height: 1.5}]}" \
  "stages.render.makehuman.shapes\[0\].height: expected a number"
bad races "    body_model: makehuman\n    makehuman: {shapes: [{name: x, african: 0.9, asian: 0.9, caucasian: 0}]}" \
  "race weights .* expected 1"
bad no_data "    body_model: mixed\n    makehuman: {data: $T/nowhere}" \
  "MakeHuman asset $T/nowhere/base.obj is missing"
bad model "    body_model: lego" "stages.render.body_model: expected one of"
check "config errors leave no work directory behind" test ! -e "$T/bad/depth.h5"
finish
