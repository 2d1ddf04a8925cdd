#!/usr/bin/env bash
# submit-stages.sh CONFIG [--workdir DIR] - one SLURM job per stage, each with the
# resources the config's slurm: section gives it, chained with afterok. Stages whose
# manifest record is current are not submitted; once one stage is submitted, every later
# stage is too (its inputs will change). A stage with `array: N` (render) is first
# submitted as a job array of N shards (jobs/shard.sbatch), then as the stage's own job,
# which merges them. Prints "stage: job ID" and "stage: array job ID (N shards)" lines.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${1:?usage: jobs/submit-stages.sh CONFIG [--workdir DIR]}
shift
bin=${DEPTHPOSE_BIN:-build/depthpose}
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
logs=${DEPTHPOSE_LOG_DIR:-.}   # where the jobs' output files go
plan=$("$bin" plan "$config" "$@")
prev=""
while IFS=$'\t' read -r stage state nodes ntasks time array; do
  if [ "$state" = done ] && [ -z "$prev" ]; then
    echo "$stage: done, not submitted"
    continue
  fi
  dep=()
  [ -z "$prev" ] || dep=(--dependency="afterok:$prev")
  if [ "${array:-0}" -gt 0 ]; then
    prev=$(sbatch --parsable --job-name="depthpose-$stage-shards" --array="0-$((array - 1))" \
      --nodes="$nodes" --ntasks="$ntasks" --time="$time" \
      --output="$logs/depthpose-$stage-%A_%a.out" "${dep[@]}" \
      jobs/shard.sbatch "$config" "$stage" "$array" "$@")
    echo "$stage: array job $prev ($array shards)"
    dep=(--dependency="afterok:$prev") # afterok on an array: every task succeeded
  fi
  prev=$(sbatch --parsable --job-name="depthpose-$stage" --nodes="$nodes" --ntasks="$ntasks" \
    --time="$time" --output="$logs/depthpose-$stage-%j.out" "${dep[@]}" \
    jobs/stage.sbatch "$config" "$stage" "$@")
  echo "$stage: job $prev"
done <<<"$plan"
