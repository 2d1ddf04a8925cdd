# Resume: a second run skips everything; a changed value reruns its stage and those
# after it only; --force --from X reruns X onwards; status reports the states.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
W="$T/w"
ran() { grep -Eo "^== [a-z]+ done" "$1" | awk '{print $2}' | tr '\n' ' '; }

dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/1.log"
check "first run runs every stage" [ "$(ran "$T/1.log")" = "ingest skeleton sample render train evaluate report " ]
check "status: all done" sh -c "[ \$('$DP_BIN' status '$T/c.yaml' --workdir '$W' | grep -c ' done ') -eq 7 ]"
cp "$W/synth.h5" "$T/synth.first"

dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/2.log"
check "second run runs nothing" [ "$(ran "$T/2.log")" = "" ]
check "and says every stage is up to date" grep -q "0 stage(s) run, 7 up to date" "$T/2.log"

sed -i 's/    k: 1/    k: 2/' "$T/c.yaml"
"$DP_BIN" status "$T/c.yaml" --workdir "$W" > "$T/status"
check "status after a skeleton change: ingest done" grep -Eq "^ingest +done" "$T/status"
check "status: skeleton stale" grep -Eq "^skeleton +stale" "$T/status"
check "status: sample stale (downstream)" grep -Eq "^sample +stale" "$T/status"
check "status: render stale (downstream)" grep -Eq "^render +stale" "$T/status"
check "status: evaluate stale (downstream)" grep -Eq "^evaluate +stale" "$T/status"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/3.log"
check "a skeleton change reruns skeleton and sample only" [ "$(ran "$T/3.log")" = "skeleton sample render train evaluate report " ]

dp_mpi 1 run "$T/c.yaml" --workdir "$W" --force --from sample 2>"$T/4.log"
check "--force --from sample reruns sample only" [ "$(ran "$T/4.log")" = "sample render train evaluate report " ]
dp_mpi 1 run "$T/c.yaml" --workdir "$W" --force 2>"$T/5.log"
check "--force reruns everything" [ "$(ran "$T/5.log")" = "ingest skeleton sample render train evaluate report " ]
dp_mpi 1 run "$T/c.yaml" --workdir "$W" --to ingest --force 2>"$T/6.log"
check "--to ingest stops after ingest" [ "$(ran "$T/6.log")" = "ingest " ]

sed -i 's/    k: 2/    k: 1/' "$T/c.yaml"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/7.log"
check "back to the first config gives the first synth.h5" cmp -s "$W/synth.h5" "$T/synth.first"

rm "$W/skeleton.h5"
"$DP_BIN" status "$T/c.yaml" --workdir "$W" > "$T/status2"
check "a deleted output shows as missing" grep -Eq "^skeleton +missing" "$T/status2"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/8.log"
check "and is rebuilt, with everything after it" [ "$(ran "$T/8.log")" = "skeleton sample render train evaluate report " ]
check "no .partial files remain" sh -c "! ls '$W'/*.partial >/dev/null 2>&1"
finish
