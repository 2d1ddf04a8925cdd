# Kill a run mid-stage: no output under its final name, the manifest does not call it
# done, and the next run completes with the same outputs as an uninterrupted run.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/ref" 2>/dev/null
check "reference run completes" test -f "$T/ref/synth.h5"

for stage in skeleton sample; do
  W="$T/w-$stage"
  rm -rf "$W"
  # The fault hook parks every rank once the stage has written its outputs as .partial
  # files, before they are committed; then the whole job is killed as a scheduler would.
  DEPTHPOSE_FAULT="stall:$stage" setsid mpirun -np 2 --oversubscribe "$DP_BIN" run "$T/c.yaml" \
    --workdir "$W" >/dev/null 2>&1 &
  pid=$!
  out=$([ "$stage" = skeleton ] && echo skeleton.h5 || echo synth.h5)
  for _ in $(seq 1 300); do
    [ -e "$W/$out.partial" ] && break
    sleep 0.1
  done
  sleep 1
  check "$stage: the job was still running with $out.partial written" sh -c "kill -0 $pid && test -e '$W/$out.partial'"
  kill -KILL -- "-$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  check "$stage killed: no $out under its final name" test ! -e "$W/$out"
  check "$stage killed: manifest does not record it done" sh -c "! grep -q '^$stage	done' '$W/manifest.tsv'"
  "$DP_BIN" status "$T/c.yaml" --workdir "$W" > "$T/status"
  check "$stage killed: status shows it failed" grep -Eq "^$stage +failed" "$T/status"
  dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/resume.log"
  check "$stage killed: the next run completes" test -f "$W/synth.h5"
  check "$stage killed: earlier stages were not rerun" sh -c "! grep -q '^== ingest done' '$T/resume.log'"
  for f in poses.h5 skeleton.h5 synth.h5; do
    check "$stage killed: $f equals the uninterrupted run's" cmp -s "$W/$f" "$T/ref/$f"
  done
done
finish
