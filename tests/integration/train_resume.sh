# Training: an interrupted run (a stop signal at step 7 or 50, as SLURM sends before a time
# limit) writes a checkpoint and fails; the rerun resumes from it and ends with exactly
# the weights of an uninterrupted run. Evaluate writes its tables.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/ref" 2>"$T/ref.log" || fail "uninterrupted run"
check "training logs decreasing regression loss" /usr/bin/python3 - "$T/ref.log" <<'PY'
import re, sys
l = [float(x) for x in re.findall(r"regression epoch \d+/\d+: loss ([0-9.]+)", open(sys.argv[1]).read())]
sys.exit(0 if len(l) == 2 and l[1] < l[0] else 1)
PY
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --to render 2>/dev/null
# 15 steps per epoch: step 7 is in the detection phase, step 50 in the end-to-end phase.
for at in 7 50; do
DEPTHPOSE_FAULT=stop:train:$at dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --from train --force 2>"$T/stop.log"; rc=$?
check "stop at $at: the run exits non-zero" [ $rc -ne 0 ]
check "stop at $at: it says a checkpoint was written" grep -q "checkpoint written at step $at" "$T/stop.log"
check "stop at $at: no model.h5" test ! -e "$T/w/model.h5"
check "stop at $at: a checkpoint exists" test -f "$T/w/train_checkpoint.h5"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" 2>"$T/resume.log" || fail "resumed run"
check "stop at $at: the rerun resumes from the checkpoint" grep -q "resuming from the checkpoint" "$T/resume.log"
check "stop at $at: final weights equal the uninterrupted run's" /usr/bin/python3 - "$T/ref/model.h5" "$T/w/model.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = [k for k in a.keys()]
ok = len(names) > 4 and set(names) == set(b.keys())
same = lambda x, y: np.array_equal(x, y, equal_nan=x.dtype.kind == "f")  # history: NaN = no val split
ok = ok and all(same(a[k][()], b[k][()]) for k in names) and "epoch_history" in names
ok = ok and all(a.attrs[k] == b.attrs[k] for k in ("final_detection_loss", "final_end_to_end_loss"))
sys.exit(0 if ok else 1)
PY
# The losses the summary reports come through the checkpoint (they were nan after a
# resume): the resumed run's summary reports the uninterrupted run's figures.
losses() { grep "^train" "$1/manifest.tsv" | grep -Eo "final box loss [0-9.a-z]+, pose loss [0-9.a-z]+"; }
check "stop at $at: the resumed summary reports the same losses, not nan" \
  sh -c "[ -n \"\$1\" ] && [ \"\$1\" = \"\$2\" ] && ! echo \"\$1\" | grep -q nan" _ "$(losses "$T/ref")" "$(losses "$T/w")"
done
check "the checkpoint is removed once training is done" test ! -e "$T/w/train_checkpoint.h5"
# A forced rerun starts afresh (no checkpoint to resume from) and ends the same.
DEPTHPOSE_FAULT=stop:train:7 dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --from train 2>/dev/null
dp_mpi 2 run "$T/c.yaml" --workdir "$T/w" --from train --force 2>"$T/force.log"
check "--force does not resume an old checkpoint" sh -c "! grep -q 'resuming from the checkpoint' '$T/force.log'"
check "evaluate wrote per-joint errors for every joint" /usr/bin/python3 - "$T/ref/results" <<'PY'
import sys, csv, json, math
rows = list(csv.DictReader(open(sys.argv[1] + "/per_joint.csv")))
s = json.load(open(sys.argv[1] + "/summary.json"))
ok = len(rows) == 16 and rows[-1]["joint"] == "mean" and all(math.isfinite(float(r["mean_mm"])) for r in rows)
ok = ok and abs(float(rows[-1]["mean_mm"]) - s["mean_joint_error_mm"]) < 0.01 and s["frames"] == 40
ok = ok and 0 <= s["mean_box_iou"] <= 1
sys.exit(0 if ok else 1)
PY
check "results/table.md written" grep -q "| mean |" "$T/ref/results/table.md"
finish
