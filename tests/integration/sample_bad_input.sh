# Sample stage, bad input: a skeleton whose joints do not match poses.h5, a tree that is
# not a tree, an empty train split - each a clear error, no synth.h5. And the skeleton
# stage on data full of repeated points (static frames) stays finite.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
tiny_config "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --to skeleton 2>/dev/null || fail "ingest + skeleton"
expect_sample_error() { # NAME PATTERN
  dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --from sample --to sample 2>"$T/$1.err"; local rc=$?
  check "$1: non-zero exit" [ $rc -ne 0 ]
  check "$1: message matches '$2'" grep -Eq "$2" "$T/$1.err"
  check "$1: no synth.h5" test ! -e "$T/w/synth.h5"
}
cp "$T/w/skeleton.h5" "$T/skeleton.good"
$PY - "$T/w/skeleton.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]]
    names[3] = "elbow_of_someone_else"
    f.attrs["joint_names"] = np.array(names, dtype="S")
PY
expect_sample_error joints "skeleton.h5: joint 3 is elbow_of_someone_else but poses.h5 has l_shoulder"

cp "$T/skeleton.good" "$T/w/skeleton.h5"
$PY - "$T/w/skeleton.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    p = f["parent"][:]; o = list(f["order"][:])
    a, b = o[1], o[2]
    p[a], p[b] = b, a          # a two-joint cycle: not a tree
    f["parent"][:] = p
PY
expect_sample_error cycle "skeleton.h5: /parent is not a tree"

cp "$T/skeleton.good" "$T/w/skeleton.h5"
cp "$T/w/poses.h5" "$T/poses.good"
$PY - "$T/w/poses.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f["split"][:] = 2
PY
expect_sample_error empty "the train split is empty"
cp "$T/poses.good" "$T/w/poses.h5"

# Repeated points: a CSV clip whose 30 frames are all the same pose (plus 30 moving ones).
mkdir -p "$T/csv"
$PY - "$T/csv/01_01.csv" <<'PY'
import sys, numpy as np
names = ["head","neck","torso","l_shoulder","r_shoulder","l_elbow","r_elbow","l_hand","r_hand",
         "l_hip","r_hip","l_knee","r_knee","l_foot","r_foot"]
rng = np.random.default_rng(1)
still = np.tile(rng.normal(0, 300, (1, 45)), (30, 1))
moving = rng.normal(0, 300, (30, 45))
with open(sys.argv[1], "w") as f:
    f.write(",".join(f"{n}_{a}" for n in names for a in "xyz") + "\n")
    for row in np.vstack([still, moving]):
        f.write(",".join(f"{v:.3f}" for v in row) + "\n")
PY
cat > "$T/dup.yaml" <<YAML
run: {name: dup}
stages:
  ingest:
    sources: [{format: csv, files: "$T/csv/*.csv"}]
    every: 1
    min_motion_mm: 0
YAML
dp_mpi 2 run "$T/dup.yaml" --workdir "$T/wd" --to skeleton 2>"$T/dup.err"; rc=$?
check "repeated points: the skeleton stage succeeds (jitter)" [ $rc -eq 0 ]
check "repeated points: every entropy and MI is finite" $PY - "$T/wd/skeleton.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
sys.exit(0 if np.isfinite(f["entropy"][:]).all() and np.isfinite(f["mi"][:]).all() else 1)
PY
sed 's/min_motion_mm: 0/min_motion_mm: 0\n  skeleton: {jitter_mm: 0}/' "$T/dup.yaml" > "$T/dup0.yaml"
dp_mpi 2 run "$T/dup0.yaml" --workdir "$T/wd0" --to skeleton 2>"$T/dup0.err"; rc=$?
check "without jitter the duplicates are a clear error, not -inf" sh -c "[ $rc -ne 0 ] && grep -q 'duplicate points' '$T/dup0.err'"
finish
