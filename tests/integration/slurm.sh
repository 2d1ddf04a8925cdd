# labels: slurm
# Under a real SLURM cluster (../shared/tools/local-slurm, started by scripts/test.sh):
# reproduce.sbatch equals a local run; submit-stages.sh chains the stages to the end (render
# as a job array of shards) and submits nothing once they are done; a pre-empted training
# job requeues and resumes from its checkpoint.
. "$(dirname "$0")/lib.sh"
if ! command -v sbatch >/dev/null || [ -z "${SLURM_CONF:-}" ] || ! sinfo >/dev/null 2>&1; then
  echo "SKIP: no SLURM cluster here (scripts/test.sh starts ../shared/tools/local-slurm when present)"
  exit 77
fi
SLURM_DIR=$(dirname "$(dirname "$SLURM_CONF")")
JOBCHECK=${DP_JOBCHECK:-$(cd "$DP_SOURCE/.." && pwd)/shared/tools/local-slurm/jobcheck.sh}
export DEPTHPOSE_BIN=$DP_BIN DEPTHPOSE_LOG_DIR=$T
tiny_config "$T/c.yaml"

DP_NP=2 jobs/local.sh "$T/c.yaml" 2 --workdir "$T/local" >/dev/null 2>&1
check "local.sh run completes" test -f "$T/local/synth.h5"

id=$(sbatch --parsable --wait --ntasks=2 --time=00:10:00 --output="$T/repro-%j.out" \
  jobs/reproduce.sbatch "$T/c.yaml" --workdir "$T/sbatch")
check "reproduce.sbatch: job $id COMPLETED 0:0" "$JOBCHECK" "$SLURM_DIR" "$id"
for f in poses.h5 skeleton.h5 synth.h5 depth.h5; do
  check "reproduce.sbatch: $f equals the local.sh run's" cmp -s "$T/sbatch/$f" "$T/local/$f"
done

# The chain, with render as a job array of 3 shards (1 task each) merged by the render
# job: the same depth.h5, byte for byte, as the single-job render of the local run.
cp "$T/c.yaml" "$T/chain.yaml"
printf 'slurm:\n  stages:\n    render: {array: 3, ntasks: 1}\n' >> "$T/chain.yaml"
jobs/submit-stages.sh "$T/chain.yaml" --workdir "$T/chain" > "$T/submitted"
ids=$(awk '/: job /{print $3}' "$T/submitted")
arr=$(awk '/: array job /{print $4}' "$T/submitted")
check "submit-stages.sh submits one job per stage" [ "$(echo $ids | wc -w)" -eq "$("$DP_BIN" stages | grep -c "^[a-z]")" ]
check "submit-stages.sh submits render as an array of 3 shards" grep -q "^render: array job [0-9]* (3 shards)" "$T/submitted"
for _ in $(seq 1 120); do
  squeue -h -j "$(echo $ids $arr | tr ' ' ,)" 2>/dev/null | grep -q . || break
  sleep 1
done
check "submit-stages.sh: every job and array task COMPLETED 0:0" "$JOBCHECK" "$SLURM_DIR" $ids $arr
check "submit-stages.sh: 3 array tasks ran" [ "$("$JOBCHECK" "$SLURM_DIR" "$arr" | grep -c 'task')" -eq 3 ]
check "submit-stages.sh: synth.h5 equals the local run's" cmp -s "$T/chain/synth.h5" "$T/local/synth.h5"
check "array render: depth.h5 equals the single-job render's" cmp -s "$T/chain/depth.h5" "$T/local/depth.h5"
check "array render: the render job merged the shards" grep -q "merged from 3 shards" "$T/chain/manifest.tsv"
check "array render: shard directories removed after the merge" test ! -e "$T/chain/shards"
jobs/submit-stages.sh "$T/chain.yaml" --workdir "$T/chain" > "$T/again"
check "submit-stages.sh again: nothing submitted" sh -c "! grep -q ' job ' '$T/again' && [ \$(grep -c 'done, not submitted' '$T/again') -eq \$('$DP_BIN' stages | grep -c '^[a-z]') ]"

# Pre-emption / time limit during training: SLURM's warning signal (USR1 to the batch
# shell, as --signal=B:USR1@120 sends it) makes reproduce.sbatch stop the step and requeue
# the job; the requeued job resumes from the checkpoint and ends with the weights of an
# uninterrupted run. (A requeued job waits about two minutes before it is eligible.)
sed 's/    regression: {epochs: 2, lr: 0.002}/    regression: {epochs: 150, lr: 0.002}/' "$T/c.yaml" > "$T/long.yaml"
mpirun -np 2 --oversubscribe "$DP_BIN" -q run "$T/long.yaml" --workdir "$T/long-ref"
mpirun -np 2 --oversubscribe "$DP_BIN" -q run "$T/long.yaml" --workdir "$T/long" --to render
id=$(sbatch --parsable --ntasks=2 --time=00:10:00 --output="$T/long-%j.out" \
  jobs/reproduce.sbatch "$T/long.yaml" --workdir "$T/long")
for _ in $(seq 1 120); do grep -q "^train	running" "$T/long/manifest.tsv" 2>/dev/null && break; sleep 0.5; done
sleep 3
scancel --signal=USR1 --batch "$id"
for _ in $(seq 1 300); do squeue -h -j "$id" 2>/dev/null | grep -q . || break; sleep 2; done
# jobcheck lists one line per run of the job: the requeued first run, then the last.
check "pre-empted job: its last run COMPLETED 0:0" sh -c "'$JOBCHECK' '$SLURM_DIR' $id | tail -1 | grep -q 'COMPLETED 0:0'"
check "pre-empted job: it ran twice" grep -q "restart 1" "$T/long-$id.out"
check "pre-empted job: training resumed from its checkpoint" grep -q "resuming from the checkpoint" "$T/long-$id.out"
check "pre-empted job: final weights equal an uninterrupted run's" /usr/bin/python3 - "$T/long-ref/model.h5" "$T/long/model.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
# equal_nan: /epoch_history holds NaN validation columns when there is no val split
sys.exit(0 if len(a.keys()) > 4 and all(np.array_equal(a[k][()], b[k][()], equal_nan=True) for k in a.keys()) else 1)
PY
finish
