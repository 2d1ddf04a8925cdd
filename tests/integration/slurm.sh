# labels: slurm
# Under a real SLURM cluster (../shared/tools/local-slurm, started by scripts/test.sh):
# reproduce.sbatch equals a local run; submit-stages.sh chains the stages to the end and
# submits nothing once they are done.
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

jobs/submit-stages.sh "$T/c.yaml" --workdir "$T/chain" > "$T/submitted"
ids=$(awk '/: job /{print $3}' "$T/submitted")
check "submit-stages.sh submits one job per stage" [ "$(echo $ids | wc -w)" -eq "$("$DP_BIN" stages | grep -c "^[a-z]")" ]
last=$(echo $ids | awk '{print $NF}')
for _ in $(seq 1 120); do
  squeue -h -j "$(echo $ids | tr ' ' ,)" 2>/dev/null | grep -q . || break
  sleep 1
done
check "submit-stages.sh: every job COMPLETED 0:0" "$JOBCHECK" "$SLURM_DIR" $ids
check "submit-stages.sh: synth.h5 equals the local run's" cmp -s "$T/chain/synth.h5" "$T/local/synth.h5"
jobs/submit-stages.sh "$T/c.yaml" --workdir "$T/chain" > "$T/again"
check "submit-stages.sh again: nothing submitted" sh -c "! grep -q ': job ' '$T/again' && [ \$(grep -c 'done, not submitted' '$T/again') -eq \$('$DP_BIN' stages | grep -c '^[a-z]') ]"
finish
