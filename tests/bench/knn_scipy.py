#!/usr/bin/python3
"""knn_scipy.py - the peer for bench_knn: the same "all entropy jobs" with
scipy.spatial.cKDTree on the same poses.

    /usr/bin/python3 knn_scipy.py POSES.bin N J [--workers 1,2] [--reps 3]

POSES.bin is what `bench_knn --write` stores: float64, N x J x 3, native byte order.
Per job (J single joints in 3-D, J(J-1)/2 pairs in 6-D) it slices the columns, builds a
cKDTree (default leafsize) and asks every point for its 2nd neighbour (the 1st is the
point itself: with duplicates the self-match may be reported second, but the distances
are the same), exactly the work bench_knn times. Prints best-of-reps times and the
sum(ln eps) checksums bench_knn prints, so the answers can be compared too.
"""
import argparse
import time

import numpy as np
from scipy.spatial import cKDTree


def run_jobs(x, workers):
    n, J, _ = x.shape
    t3 = t6 = 0.0
    s3 = s6 = 0.0
    for a in range(J):
        for b in range(a, J):
            t0 = time.perf_counter()
            if a == b:
                pts = np.ascontiguousarray(x[:, a, :])
            else:
                pts = np.ascontiguousarray(np.concatenate([x[:, a, :], x[:, b, :]], axis=1))
            tree = cKDTree(pts)
            d, _ = tree.query(pts, k=[2], workers=workers)
            dt = time.perf_counter() - t0
            s = float(np.sum(np.log(d[:, 0])))
            if a == b:
                t3 += dt
                s3 += s
            else:
                t6 += dt
                s6 += s
    return t3, t6, s3, s6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("poses")
    ap.add_argument("n", type=int)
    ap.add_argument("joints", type=int)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    x = np.fromfile(args.poses, dtype=np.float64).reshape(args.n, args.joints, 3)
    import scipy
    print(f"knn_scipy: scipy {scipy.__version__} cKDTree, N = {args.n}, {args.joints} joints")
    for w in [int(v) for v in args.workers.split(",")]:
        best = None
        for _ in range(args.reps):
            r = run_jobs(x, w)
            if best is None or r[0] + r[1] < best[0] + best[1]:
                best = r
        t3, t6, s3, s6 = best
        print(f"scipy workers={w}  total {t3 + t6:8.3f} s  (3-D jobs {t3:.3f} s, "
              f"6-D jobs {t6:.3f} s)  best of {args.reps}")
        print(f"checksum sum ln eps: 3-D {s3:.10e}  6-D {s6:.10e}")


if __name__ == "__main__":
    main()
