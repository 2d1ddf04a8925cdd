# The render stage's labels agree with each other and with the frames: joints2d is the
# projection of joints through the stored intrinsics, the box holds the visible body,
# origin/split follow the frame order, the clean preset has no noise or background.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" 2>"$T/log" || fail "tof run"
check "render summary logged" grep -q "== render done" "$T/log"
check "a preview contact sheet is written" sh -c "file '$T/w/depth_preview.png' 2>/dev/null | grep -q PNG || head -c 8 '$T/w/depth_preview.png' | grep -q PNG"
check "labels consistent (tof preset)" /usr/bin/python3 - "$T/w/depth.h5" tof <<'PY'
import sys, numpy as np, h5py
f = h5py.File(sys.argv[1], "r")
d, j, j2, box = f["depth"][:], f["joints"][:], f["joints2d"][:], f["bbox"][:]
fx, fy, cx, cy = (float(f.attrs[k]) for k in ("fx", "fy", "cx", "cy"))
F, H, W = d.shape
ok = (H, W) == (int(f.attrs["height"]), int(f.attrs["width"])) == (144, 176)
# projection
u = fx * j[..., 0] / j[..., 2] + cx
v = fy * j[..., 1] / j[..., 2] + cy
ok &= np.allclose(u, j2[..., 0], atol=1e-2) and np.allclose(v, j2[..., 1], atol=1e-2)
# every frame shows a body; the torso projects inside the body's box
torso = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]].index("torso")
inside = (box[:, 0] <= j2[:, torso, 0]) & (j2[:, torso, 0] <= box[:, 2]) & (box[:, 1] <= j2[:, torso, 1]) & (j2[:, torso, 1] <= box[:, 3])
ok &= inside.mean() > 0.95
# depth at the torso pixel is within 300 mm of the torso's camera depth for most frames
ti = np.clip(j2[:, torso, 1].astype(int), 0, H - 1); tj = np.clip(j2[:, torso, 0].astype(int), 0, W - 1)
near = np.abs(d[np.arange(F), ti, tj].astype(float) - j[:, torso, 2]) < 300
ok &= near.mean() > 0.8
# frame order: 120 synthetic (origin 0, split 0), then 40 real test poses (origin 1, split 2)
ok &= F == 160 and (f["origin"][:120] == 0).all() and (f["origin"][120:] == 1).all()
ok &= (f["split"][:120] == 0).all() and (f["split"][120:] == 2).all()
ok &= int(f["body"][:].max()) < 12 and len(set(f["body"][:])) > 6
if not ok: print("label checks failed")
sys.exit(0 if ok else 1)
PY
# clean preset: no noise (a flat quantised body surface), no background pixels
sed 's/    batch: 32/    batch: 32\n    preset: clean/' "$T/c.yaml" > "$T/clean.yaml"
dp_mpi 1 run "$T/clean.yaml" --workdir "$T/w" --from render 2>"$T/log2" || fail "clean run"
check "clean preset: background empty, body only" /usr/bin/python3 - "$T/w/depth.h5" <<'PY'
import sys, numpy as np, h5py
f = h5py.File(sys.argv[1], "r")
d, box = f["depth"][:], f["bbox"][:]
ok = True
for i in range(len(d)):
    ys, xs = np.nonzero(d[i])
    ok &= len(ys) > 0 and xs.min() >= box[i, 0] and xs.max() < box[i, 2] and ys.min() >= box[i, 1] and ys.max() < box[i, 3]
sys.exit(0 if ok else 1)
PY
# compression: the same data (h5diff), smaller, for 1 and 3 ranks
sed 's/    batch: 32$/    batch: 32\n    compression: 1/' "$T/c.yaml" > "$T/z.yaml"
for np in 1 3; do
  cp -r "$T/w" "$T/z$np"
  dp_mpi $np run "$T/z.yaml" --workdir "$T/z$np" --from render --to render 2>/dev/null || fail "compressed run, $np ranks"
done
dp_mpi 1 run "$T/c.yaml" --workdir "$T/w" --from render --to render 2>/dev/null
check "compressed depth.h5 holds the same data (1 rank)" h5diff -q "$T/w/depth.h5" "$T/z1/depth.h5"
check "compressed depth.h5 holds the same data (3 ranks)" h5diff -q "$T/w/depth.h5" "$T/z3/depth.h5"
check "compressed depth.h5 is smaller" [ "$(stat -c %s "$T/z1/depth.h5")" -lt "$(stat -c %s "$T/w/depth.h5")" ]
finish
