# Ingest through the real binary: CSV and Human3.6M-layout sources, joint maps, bad
# clips (error / skip), and the tree on the whole bundled CMU set.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# --- CSV and H3.6M layout, generated here (H3.6M data itself is not redistributable) ---
mkdir -p "$T/csv" "$T/h36m/S9/MyPoses/3D_positions" "$T/h36m/S11/MyPoses/3D_positions"
$PY - "$T" <<'PY'
import sys, numpy as np, h5py
t = sys.argv[1]
rng = np.random.default_rng(3)
names = ["head","neck","torso","l_shoulder","r_shoulder","l_elbow","r_elbow","l_hand","r_hand",
         "l_hip","r_hip","l_knee","r_knee","l_foot","r_foot"]
for subj in (1, 2):
    x = rng.normal(0, 300, size=(40, 15, 3)).cumsum(axis=0)
    np.save(f"{t}/csv/{subj:02d}_01.npy", x)
    with open(f"{t}/csv/{subj:02d}_01.csv", "w") as f:
        f.write(",".join(f"{n}_{a}" for n in names for a in "xyz") + "\n")
        for fr in x:
            f.write(",".join(f"{v:.6f}" for v in fr.ravel()) + "\n")
# H3.6M: [96][T], 32 joints x xyz in mm, Z up.
for s in (9, 11):
    p = rng.normal(0, 400, size=(50, 32, 3)).cumsum(axis=0)
    np.save(f"{t}/h36m/S{s}.npy", p)
    with h5py.File(f"{t}/h36m/S{s}/MyPoses/3D_positions/Walking.h5", "w") as f:
        f["3D_positions"] = p.reshape(50, 96).T
PY
cat > "$T/csv.yaml" <<YAML
run: {name: csv, seed: 1}
stages:
  ingest:
    sources:
      - {format: csv, files: "$T/csv/*.csv", unit_mm: 1}
    every: 1
    min_motion_mm: 0
    test_subjects: [2]
YAML
dp_mpi 2 run "$T/csv.yaml" --workdir "$T/wcsv" --to ingest 2>"$T/csv.log"
check "csv source: poses.h5 written" test -f "$T/wcsv/poses.h5"
check "csv source: poses equal the CSV values, subjects and splits right" $PY - "$T" <<'PY'
import sys, numpy as np, h5py
t = sys.argv[1]
f = h5py.File(f"{t}/wcsv/poses.h5", "r")
want = np.concatenate([np.load(f"{t}/csv/01_01.npy"), np.load(f"{t}/csv/02_01.npy")])
ok = np.allclose(f["poses"][:], want, atol=1e-3) and list(f["subject"][:]) == [1]*40 + [2]*40
ok = ok and list(f["split"][:]) == [0]*40 + [2]*40 and f["poses"].attrs["units"] in (b"mm", "mm")
sys.exit(0 if ok else 1)
PY

cat > "$T/h36m.yaml" <<YAML
run: {name: h36m, seed: 1}
stages:
  ingest:
    sources:
      - {format: h36m, files: "$T/h36m/S*/MyPoses/3D_positions/*.h5"}
    every: 2
    min_motion_mm: 0
    test_subjects: [11]
YAML
for np in 1 3; do
  dp_mpi $np run "$T/h36m.yaml" --workdir "$T/wh$np" --to ingest 2>"$T/h36m.log"
done
check "h36m layout: poses are the mapped joints, Z up turned to Y up, every 2nd frame" $PY - "$T" <<'PY'
import sys, numpy as np, h5py
t = sys.argv[1]
f = h5py.File(f"{t}/wh1/poses.h5", "r")
# head = H3.6M joint 15, l_hand = LWrist 19; (x, y, z) Z-up -> (x, z, -y) Y-up
idx = {"head": 15, "l_hand": 19, "r_foot": 3}
names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]]
ok = True
# files are taken in path order: S11/... sorts before S9/...
for s, rows in ((11, slice(0, 25)), (9, slice(25, 50))):
    src = np.load(f"{t}/h36m/S{s}.npy")[::2]
    for name, j in idx.items():
        got = f["poses"][rows, names.index(name), :]
        want = np.stack([src[:, j, 0], src[:, j, 2], -src[:, j, 1]], axis=1)
        ok = ok and np.allclose(got, want, atol=1e-2)
ok = ok and list(f["subject"][:]) == [11]*25 + [9]*25 and list(f["split"][:]) == [2]*25 + [0]*25
sys.exit(0 if ok else 1)
PY
check "h36m: 1 and 3 ranks give the same poses.h5" cmp -s "$T/wh1/poses.h5" "$T/wh3/poses.h5"

# --- joint map errors ---
cat > "$T/map.yaml" <<YAML
run: {name: map}
stages:
  ingest:
    sources:
      - format: bvh
        files: data/cmu/07/07_01.bvh
        joint_map: {base: cmu_bvh, head: NoSuchJoint}
YAML
dp_mpi 1 run "$T/map.yaml" --workdir "$T/wmap" 2>"$T/map.err"; rc=$?
check "unknown source joint: non-zero exit" [ $rc -ne 0 ]
check "unknown source joint: names the joint and the file" grep -q 'data/cmu/07/07_01.bvh: the joint map sends head to source joint "NoSuchJoint"' "$T/map.err"
sed 's/head: NoSuchJoint/hed: Head/' "$T/map.yaml" > "$T/map2.yaml"
dp_mpi 1 run "$T/map2.yaml" --workdir "$T/wmap2" 2>"$T/map2.err"; rc=$?
check "unknown canonical joint: file:line error" grep -Eq "map2.yaml:7:[0-9]+: .*hed is not one of the run's joints" "$T/map2.err"

# --- a truncated clip: error by default, skipped with on_bad_clip: skip ---
mkdir -p "$T/bad/07"
cp data/cmu/07/07_01.bvh data/cmu/07/07_02.bvh "$T/bad/07/"
head -c 20000 data/cmu/07/07_03.bvh > "$T/bad/07/07_03.bvh"
cat > "$T/bad.yaml" <<YAML
run: {name: bad}
stages:
  ingest:
    sources:
      - {format: bvh, files: "$T/bad/07/*.bvh"}
YAML
dp_mpi 2 run "$T/bad.yaml" --workdir "$T/wbad" --to ingest 2>"$T/bad.err"; rc=$?
check "truncated clip: non-zero exit" [ $rc -ne 0 ]
check "truncated clip: the message names the file and a line" grep -Eq "07_03.bvh:[0-9]+:" "$T/bad.err"
check "truncated clip: no poses.h5 and no partial" sh -c "! ls '$T/wbad'/poses.h5* >/dev/null 2>&1"
printf '    on_bad_clip: skip\n' >> "$T/bad.yaml"
dp_mpi 2 run "$T/bad.yaml" --workdir "$T/wbad" --to ingest 2>"$T/skip.err"; rc=$?
check "on_bad_clip: skip: succeeds" [ $rc -eq 0 ]
check "on_bad_clip: skip: warns naming the clip" grep -q "warning: skipped $T/bad/07/07_03.bvh" "$T/skip.err"
check "on_bad_clip: skip: the summary counts it" grep -q "1 clips skipped" "$T/skip.err"
finish
