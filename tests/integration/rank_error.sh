# An error raised on one rank only: one clear message from rank 0, non-zero exit, no hang.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
for np in 2 3; do
  for stage in ingest skeleton sample; do
    start=$(date +%s)
    DEPTHPOSE_FAULT="fail:$stage:1" timeout 120 mpirun -np $np --oversubscribe "$DP_BIN" run \
      "$T/c.yaml" --workdir "$T/w$np" >/dev/null 2>"$T/err"
    rc=$?
    took=$(( $(date +%s) - start ))
    check "np=$np $stage: exits non-zero, not by timeout (rc=$rc, ${took}s)" sh -c "[ $rc -ne 0 ] && [ $rc -ne 124 ]"
    check "np=$np $stage: one error line" [ "$(grep -c 'error' "$T/err")" -eq 1 ]
    check "np=$np $stage: it names rank 1 and the stage" grep -q "error: stage $stage failed: rank 1: injected fault" "$T/err"
  done
done
finish
