#!/usr/bin/env python3
"""make_tree_poses.py OUT.h5 N J SEED - a poses.h5 (the ingest layout) of N synthetic
poses from a Gaussian tree model (each joint = parent + correlated noise, a chain-and-
branches skeleton), for benchmarking the skeleton stage at sizes the bundled data lacks.
All poses are in the train split."""
import sys
import numpy as np
import h5py

out, n, J, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
names15 = ["head", "neck", "torso", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow", "l_hand",
           "r_hand", "l_hip", "r_hip", "l_knee", "r_knee", "l_foot", "r_foot"]
parent15 = [1, 2, -1, 1, 1, 3, 4, 5, 6, 2, 2, 9, 10, 11, 12]
names = names15[:J] if J <= 15 else names15 + [f"j{k}" for k in range(15, J)]
parent = [p if p < J else 2 for p in parent15[:J]] + [k - 1 for k in range(15, J)]
if J < 15:  # keep only parents that exist
    parent = [p if p < J else 2 for p in parent]
pos = np.zeros((n, J, 3), np.float64)
order = [2] + [j for j in range(J) if j != 2]
done = set()
while len(done) < J:
    for j in range(J):
        if j in done or (parent[j] >= 0 and parent[j] not in done):
            continue
        base = pos[:, parent[j]] if parent[j] >= 0 else rng.normal(0, 300, (n, 3))
        bone = rng.normal(0, 1, 3) * 150
        pos[:, j] = base + bone + rng.normal(0, 40, (n, 3))
        done.add(j)
with h5py.File(out, "w") as f:
    f["poses"] = pos.astype(np.float32)
    f["poses"].attrs["units"] = "mm"
    f["subject"] = np.ones(n, np.int32)
    f["clip"] = np.zeros(n, np.int32)
    f["frame"] = np.arange(n, dtype=np.int32)
    f["split"] = np.zeros(n, np.uint8)
    f.attrs["joint_names"] = np.array(names, dtype="S")
    f.attrs["units"] = "mm"
