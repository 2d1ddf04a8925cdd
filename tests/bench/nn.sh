#!/usr/bin/env bash
# nn.sh - throughput of the train stage's network (include/depthpose/nn.h): the
# default (original) network, training (forward + box and pose losses + backward +
# SGD step), training with the trunk frozen (the paper's second step) and inference,
# at batch 32 on the Human3.6M ToF frame (1x144x176) and a 1x96x96 crop, with 1 and
# 2 OpenBLAS threads; one conv layer against a naive direct convolution; cblas_sgemm
# as the GEMM reference; and, if /usr/bin/python3 has torch (Debian python3-torch),
# the same network, batch and steps in PyTorch on the CPU with torch.set_num_threads
# 1 and 2, in the same run. Prints figures ("c" lines: this project, "torch" lines:
# PyTorch); never fails on speed.
# Env: DP_BUILD (build dir, holds bench_nn), ITERS (best of, default 3),
# SIZES (default "144x176 96x96"), BATCH (default 32), THREADS (default "1 2").
set -euo pipefail
build=${DP_BUILD:?set DP_BUILD to the build directory}
iters=${ITERS:-3}
sizes=${SIZES:-"144x176 96x96"}
batch=${BATCH:-32}
threads=${THREADS:-"1 2"}
py=/usr/bin/python3 # Debian's torch installs for this interpreter only

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

torch_bench() { # h w batch threads iters
  "$py" - "$@" <<'PY'
import sys, time
import torch
h, w, batch, threads, iters = map(int, sys.argv[1:6])
torch.set_num_threads(threads)
J = 17
def conv_trunk():
    layers, cin = [], 1
    for i, c in enumerate([32, 32, 64, 64, 128, 128, 256]):
        layers += [torch.nn.Conv2d(cin, c, 3, padding=1), torch.nn.ReLU()]
        if i in (1, 3, 5, 6):
            layers.append(torch.nn.MaxPool2d(2))
        cin = c
    return torch.nn.Sequential(*layers)
def path(nin, nout):
    return torch.nn.Sequential(torch.nn.Linear(nin, 1024), torch.nn.ReLU(),
                               torch.nn.Linear(1024, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, nout))
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = conv_trunk()
        f = 256 * (h // 16) * (w // 16)
        self.box, self.joints = path(f, 4), path(f, 3 * J)
    def forward(self, x, paths=(0, 1)):
        f = self.trunk(x).flatten(1)
        return (self.box(f) if 0 in paths else None, self.joints(f) if 1 in paths else None)
net = Net()
x = torch.rand(batch, 1, h, w)
box_t, jt = torch.rand(batch, 4), torch.rand(batch, 3 * J)
parent = list(range(-1, J - 1))
def pose_loss(p, t, eps=1e-3):
    p, t = p.reshape(-1, J, 3), t.reshape(-1, J, 3)
    ld = ((p - t) ** 2).sum()
    pb, tb = p[:, 1:] - p[:, :-1], t[:, 1:] - t[:, :-1]
    ls = ((pb - tb) ** 2).sum()
    na = torch.sqrt((tb * tb).sum(-1) + eps * eps); nb = torch.sqrt((pb * pb).sum(-1) + eps * eps)
    lr = (1 - (tb * pb).sum(-1) / (na * nb)).sum()
    return (0.027 * ld + 0.833 * ls + 0.139 * lr) / p.shape[0]
opt = torch.optim.SGD(net.parameters(), lr=1e-6, momentum=0.9, weight_decay=5e-4)
def train():
    opt.zero_grad()
    b, j = net(x)
    (((b - box_t) ** 2).sum() / batch + pose_loss(j, jt)).backward()
    opt.step()
def frozen():
    opt.zero_grad()
    with torch.no_grad():
        f = net.trunk(x).flatten(1)
    pose_loss(net.joints(f), jt).backward()
    opt.step()
def infer():
    with torch.no_grad():
        net(x)
def best(fn):
    fn()
    t = 1e30
    for _ in range(iters):
        t0 = time.perf_counter(); fn(); t = min(t, time.perf_counter() - t0)
    return t
tt, ti = best(train), best(infer)
for p in net.trunk.parameters(): p.requires_grad_(False)
for p in net.box.parameters(): p.requires_grad_(False)
tf = best(frozen)
print("torch %3dx%-3d batch %2d threads %d: train %6.2f img/s                   | "
      "frozen-trunk train %6.2f img/s | inference %6.2f img/s   (torch %s)"
      % (h, w, batch, threads, batch / tt, batch / tf, batch / ti, torch.__version__), flush=True)
PY
}

echo "nn: $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
for t in $threads; do "$bench" --sgemm --threads "$t" --iters "$iters"; done
"$bench" --conv --h 144 --w 176 --batch 2 --threads 1 --iters 1
for size in $sizes; do
  h=${size%x*} w=${size#*x}
  echo
  for t in $threads; do
    "$bench" --net --h "$h" --w "$w" --batch "$batch" --threads "$t" --iters "$iters"
    if [[ $have_torch -eq 1 ]]; then torch_bench "$h" "$w" "$batch" "$t" "$iters"; fi
  done
done
