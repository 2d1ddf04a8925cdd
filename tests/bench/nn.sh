#!/usr/bin/env bash
# nn.sh - throughput of the train stage's network (include/depthpose/nn.h) against
# PyTorch on the same machine, in the same run: the default (original) network at a
# global batch of 64 on the paper's 176x144 frame (and the issue's 128x128), training
# (forward, box + pose losses, backward, SGD step) and inference, as
#   1 rank x 1 thread, 1 rank x 2 OpenBLAS threads, 2 ranks x 1 thread (mpirun, the
#   train stage's gradient sync: one blocking allreduce, and buckets overlapped with the
#   backward pass), and PyTorch (Debian python3-torch) 1 process x 2 threads and 2
#   processes x 1 thread (DistributedDataParallel, gloo);
# plus cblas_sgemm as the machine's GEMM reference and one conv layer's forward by each
# algorithm (im2col + SGEMM, Winograd, direct loops) against naive loops. Every figure
# line ends with the 1-minute load average when it was taken (the machine
# is shared). Prints figures; never fails on speed. GFLOP/s count the direct
# convolution's multiply-adds, so Winograd layers can beat cblas_sgemm's figure.
# About 6 minutes per size on 2 cores. Env: DP_BUILD (build dir, holds bench_nn),
# ITERS (best of, default 3), SIZES (default "144x176"; "144x176 128x128" adds the
# issue's comparison size), BATCH (default 64).
set -euo pipefail
build=${DP_BUILD:?set DP_BUILD to the build directory}
iters=${ITERS:-3}
sizes=${SIZES:-"144x176"}
batch=${BATCH:-64}
py=/usr/bin/python3 # Debian's torch installs for this interpreter only
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp /tmp/dp-nn-bench.XXXXXX)
trap 'rm -f "$out"' EXIT

bench=""
for c in "$build/bench_nn" "$build/tests/bench_nn"; do
  [[ -x $c ]] && bench=$c && break
done
[[ -n $bench ]] || { echo "nn: bench_nn not found under $build (build first)"; exit 1; }

have_torch=1
if ! "$py" -c 'import torch' 2>/dev/null; then
  echo "nn: torch not importable by $py (apt-get install python3-torch); skipping the peer"
  have_torch=0
fi

load() { cut -d' ' -f1 /proc/loadavg; }
# fig CMD...: run one measurement, append the load, keep the line for the summary
fig() { "$@" | while IFS= read -r line; do echo "$line   [load $(load)]"; done | tee -a "$out"; }

torch_bench() { # mode(single|ddp) h w batch threads iters
  "$py" - "$@" <<'PY'
import os, sys, tempfile, time
import torch
import torch.distributed as dist
mode = sys.argv[1]
h, w, batch, threads, iters = map(int, sys.argv[2:7])
tag = ", tuned malloc" if len(sys.argv) > 7 and sys.argv[7] == "tuned" else ""
J = 17
def make_net():
    torch.manual_seed(0)
    layers, cin = [], 1
    for i, c in enumerate([32, 32, 64, 64, 128, 128, 256]):
        layers += [torch.nn.Conv2d(cin, c, 3, padding=1), torch.nn.ReLU()]
        if i in (1, 3, 5, 6):
            layers.append(torch.nn.MaxPool2d(2))
        cin = c
    trunk = torch.nn.Sequential(*layers)
    f = 256 * (h // 16) * (w // 16)
    path = lambda nout: torch.nn.Sequential(torch.nn.Linear(f, 1024), torch.nn.ReLU(),
                                            torch.nn.Linear(1024, 256), torch.nn.ReLU(),
                                            torch.nn.Linear(256, nout))
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk, self.box, self.joints = trunk, path(4), path(3 * J)
        def forward(self, x):
            f = self.trunk(x).flatten(1)
            return self.box(f), self.joints(f)
    return Net()
def pose_loss(p, t, eps=1e-3):
    p, t = p.reshape(-1, J, 3), t.reshape(-1, J, 3)
    ld = ((p - t) ** 2).sum()
    pb, tb = p[:, 1:] - p[:, :-1], t[:, 1:] - t[:, :-1]
    ls = ((pb - tb) ** 2).sum()
    na = torch.sqrt((tb * tb).sum(-1) + eps * eps); nb = torch.sqrt((pb * pb).sum(-1) + eps * eps)
    lr = (1 - (tb * pb).sum(-1) / (na * nb)).sum()
    return (0.027 * ld + 0.833 * ls + 0.139 * lr) / p.shape[0]
def measure(net, n, sync):
    x = torch.rand(n, 1, h, w)
    box_t, jt = torch.rand(n, 4), torch.rand(n, 3 * J)
    opt = torch.optim.SGD(net.parameters(), lr=1e-6, momentum=0.9, weight_decay=5e-4)
    def train():
        opt.zero_grad()
        b, j = net(x)
        (((b - box_t) ** 2).sum() / n + pose_loss(j, jt)).backward()
        opt.step()
    def infer():
        with torch.no_grad():
            net(x)
    def best(fn):
        fn()
        t = 1e30
        for _ in range(iters):
            sync(None)
            t0 = time.perf_counter(); fn(); dt = sync(time.perf_counter() - t0)
            t = min(t, dt)
        return t
    return best(train), best(infer)
def report(tt, ti, who):
    print("torch %3dx%-3d batch %2d, %s%s: train %6.2f img/s | inference %6.2f img/s   (torch %s)"
          % (h, w, batch, who, tag, batch / tt, batch / ti, torch.__version__), flush=True)
if mode == "single":
    torch.set_num_threads(threads)
    tt, ti = measure(make_net(), batch, lambda dt: dt)
    report(tt, ti, "1 process x %d thread%s" % (threads, "s" if threads > 1 else ""))
else:
    def worker(rank, size, store):
        torch.set_num_threads(threads)
        dist.init_process_group("gloo", init_method="file://" + store, rank=rank, world_size=size)
        net = torch.nn.parallel.DistributedDataParallel(make_net())
        def sync(dt):  # barrier before a timing; the slowest rank's time after it
            if dt is None:
                dist.barrier(); return None
            v = torch.tensor([dt]); dist.all_reduce(v, op=dist.ReduceOp.MAX); return v.item()
        tt, ti = measure(net, batch // size, sync)
        if rank == 0:
            report(tt, ti, "%d processes x %d thread, DDP gloo" % (size, threads))
        dist.destroy_process_group()
    store = tempfile.mktemp(prefix="dp-ddp-")
    try:  # fork: the script comes on stdin, which spawn could not re-read
        torch.multiprocessing.start_processes(worker, args=(2, store), nprocs=2, start_method="fork")
    finally:
        if os.path.exists(store): os.remove(store)
PY
}

TUNED=1000000000000 # bytes: never mmap or trim
echo "nn: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load $(load)"
for t in 1 2; do fig "$bench" --sgemm --threads "$t" --iters "$iters"; done
fig "$bench" --conv --h 144 --w 176 --batch 2 --threads 1 --iters 1
for size in $sizes; do
  h=${size%x*} w=${size#*x}
  echo
  fig "$bench" --net --h "$h" --w "$w" --batch "$batch" --threads 1 --iters "$iters"
  fig "$bench" --net --h "$h" --w "$w" --batch "$batch" --threads 2 --iters "$iters"
  for mode in blocking bucketed; do
    fig mpirun -np 2 --bind-to none "$bench" --net --mpi --allreduce "$mode" --h "$h" --w "$w" \
      --batch "$batch" --threads 1 --iters "$iters"
  done
  if [[ $have_torch -eq 1 ]]; then
    fig torch_bench single "$h" "$w" "$batch" 2 "$iters" || echo "torch: single-process run failed"
    fig torch_bench ddp "$h" "$w" "$batch" 1 "$iters" || echo "torch: DDP run failed"
    # PyTorch's best: glibc malloc returns big blocks to the OS on every free unless told
    # otherwise, which costs PyTorch most of its speed here; these settings keep them.
    for mode in "single 2" "ddp 1"; do
      set -- $mode
      MALLOC_MMAP_THRESHOLD_=$TUNED MALLOC_TRIM_THRESHOLD_=$TUNED fig torch_bench "$1" "$h" "$w" \
        "$batch" "$2" "$iters" tuned || echo "torch: tuned-malloc $1 run failed"
    done
  fi
done

# Ratios from the lines above: C's best training throughput against PyTorch's best (of
# default and tuned malloc),
# 2-rank scaling, and the achieved GFLOP/s against cblas_sgemm's on the same cores.
echo
"$py" - "$out" "$sizes" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().splitlines()
gemm = {int(m.group(2)): float(m.group(3)) for l in lines
        for m in [re.search(r"cblas_sgemm (1024x1024x1024), threads (\d): ([0-9.]+)", l)] if m}
for size in sys.argv[2].split():
    h, w = size.split("x")
    tag = "%3sx%-3s" % (h, w)
    rows = [l for l in lines if tag in l]
    def train(pat):
        for l in rows:
            if re.search(pat, l):
                m = re.search(r"train +([0-9.]+) img/s(?: \( *([0-9.]+) GFLOP/s\))?", l)
                return float(m.group(1)), float(m.group(2) or 0)
        return None, None
    c11, _ = train(r"^c .*1 rank x 1 thread:")
    c12, g12 = train(r"^c .*1 rank x 2 threads:")
    cbl, gbl = train(r"^c .*2 ranks x 1 thread, blocking")
    cbu, gbu = train(r"^c .*2 ranks x 1 thread, bucketed")
    t12, _ = train(r"^torch .*1 process x 2 threads:")
    tdp, _ = train(r"^torch .*DDP gloo:")
    t12m, _ = train(r"^torch .*1 process x 2 threads, tuned malloc:")
    tdpm, _ = train(r"^torch .*DDP gloo, tuned malloc:")
    best_c = max(v for v in (c12, cbl, cbu) if v)
    torch_best = max([v for v in (t12, tdp, t12m, tdpm) if v] or [0])
    if t12 and t12m:
        print("summary %s: PyTorch default malloc best %.2f img/s, tuned malloc best %.2f img/s"
              % (size, max(v for v in (t12, tdp) if v), max(v for v in (t12m, tdpm) if v)))
    print("summary %s: C best train %.2f img/s%s" % (size, best_c,
          ", PyTorch best %.2f img/s: ratio %.2f" % (torch_best, best_c / torch_best) if torch_best else ""))
    if c11 and cbu:
        print("summary %s: 2 ranks x 1 thread (bucketed) / 1 rank x 1 thread = %.2fx (blocking %.2fx)"
              % (size, cbu / c11, cbl / c11))
    gbest = max(g12, gbl, gbu)
    if 2 in gemm:
        print("summary %s: best training %.1f GFLOP/s (direct-convolution equivalent) = %.0f%% of cblas_sgemm on 2 cores (%.1f GFLOP/s)"
              % (size, gbest, 100 * gbest / gemm[2], gemm[2]))
PY
