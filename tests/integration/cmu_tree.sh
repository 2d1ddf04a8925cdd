# On the whole bundled CMU set the learned tree is anatomically sensible.
. "$(dirname "$0")/lib.sh"
dp_mpi 2 run configs/quick.yaml --workdir "$T/w" --to skeleton 2>"$T/log"
check "ingest + skeleton on the bundled data" test -f "$T/w/skeleton.h5"
for edge in "l_hand l_elbow" "r_hand r_elbow" "l_elbow l_shoulder" "r_elbow r_shoulder" \
            "l_foot l_knee" "r_foot r_knee" "head neck" "neck torso"; do
  set -- $edge
  check "parent of $1 is $2" /usr/bin/python3 - "$T/w/skeleton.h5" "$1" "$2" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f.attrs["joint_names"]]
p = f["parent"][:]
sys.exit(0 if names[p[names.index(sys.argv[2])]] == sys.argv[3] else 1)
PY
done
check "knees hang off the hips" /usr/bin/python3 - "$T/w/skeleton.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
n = [x.decode() if isinstance(x, bytes) else x for x in f.attrs["joint_names"]]
p = f["parent"][:]
sys.exit(0 if all(n[p[n.index(k)]] in ("l_hip", "r_hip") for k in ("l_knee", "r_knee")) else 1)
PY
finish
