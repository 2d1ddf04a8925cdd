# launch.sh - sourced by the job scripts: how to start depthpose on the ranks we have.
# Inside a SLURM allocation: srun (PMIx; Debian's Open MPI has no PMI2). Elsewhere:
# mpirun with NP ranks (default: the number of cores).
DP_BIN=${DEPTHPOSE_BIN:-build/depthpose}
[ "$(id -u)" -ne 0 ] || export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
dp_launch() { # dp_launch ARGS... (runs in the background, sets DP_PID)
  if [ -n "${SLURM_JOB_ID:-}" ] && command -v srun >/dev/null; then
    srun --mpi=pmix "$DP_BIN" "$@" &
  else
    local np=${DP_NP:-$(nproc)} extra=()
    [ "$np" -le "$(nproc)" ] || extra=(--oversubscribe)
    mpirun -np "$np" "${extra[@]}" "$DP_BIN" "$@" &
  fi
  DP_PID=$!
}
