# Render as shards (what a SLURM job array runs): parts made with 1, 2 and 3 ranks merge
# into the single job's depth.h5 and preview, byte for byte; an incomplete or stale set
# is not merged (the stage renders everything); bad requests and a part that holds the
# wrong frames are clear errors that leave no output.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
dp_mpi 2 -q run "$T/c.yaml" --workdir "$T/one" --to render || fail "single-job render"

W=$T/sharded
dp_mpi 2 -q run "$T/c.yaml" --workdir "$W" --to sample
dp_mpi 1 -q shard "$T/c.yaml" render 0 3 --workdir "$W" || fail "shard 0 of 3 (1 rank)"
dp_mpi 2 -q shard "$T/c.yaml" render 1 3 --workdir "$W" || fail "shard 1 of 3 (2 ranks)"
check "status counts the ready shards" sh -c "'$DP_BIN' status '$T/c.yaml' --workdir '$W' | grep -q '2 of 3 shards ready'"
dp_mpi 3 -q shard "$T/c.yaml" render 2 3 --workdir "$W" || fail "shard 2 of 3 (3 ranks)"
check "each part holds its own frames only" sh -c "h5dump -H -d depth '$W/shards/render/part-0001-of-0003/depth.h5' | grep -q '( 53, 144, 176 )'"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" --to render > "$T/merge.log" 2>&1
check "run merges the complete set" grep -q "merging the 3 shards" "$T/merge.log"
check "merged depth.h5 equals the single job's" cmp -s "$W/depth.h5" "$T/one/depth.h5"
check "merged preview equals the single job's" cmp -s "$W/depth_preview.png" "$T/one/depth_preview.png"
check "shards are removed once merged" test ! -e "$W/shards"
check "the manifest says merged" grep -q "merged from 3 shards" "$W/manifest.tsv"

# An incomplete set is not merged: the stage renders all frames itself.
W=$T/incomplete
dp_mpi 2 -q run "$T/c.yaml" --workdir "$W" --to sample
dp_mpi 2 -q shard "$T/c.yaml" render 0 2 --workdir "$W"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" --to render > "$T/inc.log" 2>&1
check "incomplete set: says so and renders everything" grep -q "1 of 2 shards are ready" "$T/inc.log"
check "incomplete set: depth.h5 equals the single job's" cmp -s "$W/depth.h5" "$T/one/depth.h5"

# Parts made with other render settings are stale: not merged.
W=$T/stale
dp_mpi 2 -q run "$T/c.yaml" --workdir "$W" --to sample
for i in 0 1; do dp_mpi 2 -q shard "$T/c.yaml" render $i 2 --workdir "$W"; done
sed 's/    batch: 32/    batch: 16/' "$T/c.yaml" > "$T/c16.yaml"
dp_mpi 2 run "$T/c16.yaml" --workdir "$W" --to render > "$T/stale.log" 2>&1
check "stale set (render settings changed): not merged" sh -c "! grep -q merging '$T/stale.log' && grep -q '0 of 2 shards are ready' '$T/stale.log'"

# Errors.
W=$T/bad
dp_mpi 1 -q run "$T/c.yaml" --workdir "$W" --to skeleton
dp_mpi 1 shard "$T/c.yaml" render 0 2 --workdir "$W" > "$T/e1" 2>&1
check "shard before sample is done: exit 1" [ $? -eq 1 ]
check "shard before sample is done: names the stage" grep -q "stage sample is not done" "$T/e1"
check "shard before sample is done: no part written" test ! -e "$W/shards/render/part-0000-of-0002/depth.h5"
dp_mpi 1 shard "$T/c.yaml" train 0 2 --workdir "$W" > "$T/e2" 2>&1
check "shard of a stage that cannot: clear error" sh -c "[ $? -eq 1 ] && grep -q 'train: this stage cannot run as shards' '$T/e2'"
dp_mpi 1 shard "$T/c.yaml" render 2 2 --workdir "$W" > "$T/e3" 2>&1
check "shard index out of range: clear error" sh -c "[ $? -eq 1 ] && grep -q 'expected 0 <= INDEX < COUNT' '$T/e3'"
"$DP_BIN" shard "$T/c.yaml" render x 2 > "$T/e4" 2>&1
check "shard with a non-number: usage error (exit 2)" [ $? -eq 2 ]

# A part that holds the wrong frames (copied over another) stops the merge, naming it.
W=$T/corrupt
dp_mpi 2 -q run "$T/c.yaml" --workdir "$W" --to sample
for i in 0 1; do dp_mpi 2 -q shard "$T/c.yaml" render $i 2 --workdir "$W"; done
cp "$W/shards/render/part-0000-of-0002/depth.h5" "$W/shards/render/part-0001-of-0002/depth.h5"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" --to render > "$T/e5" 2>&1
check "wrong part: exit 1" [ $? -eq 1 ]
check "wrong part: names the file and the expected frames" grep -q "part-0001-of-0002/depth.h5: part 1 of 2 holds frames from 0 of 160, expected from 80" "$T/e5"
check "wrong part: no depth.h5 left" sh -c "! ls '$W'/depth.h5* 2>/dev/null | grep -q ."
finish
