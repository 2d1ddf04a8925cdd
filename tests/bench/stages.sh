# stages.sh - figures for ingest, skeleton and sample through the real binary:
#   ingest frames/s on the bundled data (1 and 2 ranks),
#   skeleton: brute vs kdtree at N=18,072 x 10 joints, 1 vs 2 ranks at 18,072 x 10 and
#   100,000 x 15, peak memory, and (DP_BENCH_BIG=1) 1,000,000 x 15 on 2 ranks,
#   sample: poses/s for 100,000 poses (1 and 2 ranks).
# Prints one line per figure; never fails on speed. Machines are shared: repeat.
set -u
: "${DP_BIN:?}" "${DP_SOURCE:?}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$DP_SOURCE"
T=$(mktemp -d /tmp/dp-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT

wall() { # wall NP ARGS... -> prints seconds and peak RSS (MB, the largest rank)
  local np=$1; shift
  /usr/bin/time -f "%e %M" -o "$T/time" mpirun -np "$np" --oversubscribe \
    sh -c '/usr/bin/time -f "%M" -o "$0.rss.$OMPI_COMM_WORLD_RANK" "$@"' "$T/r" "$DP_BIN" "$@" >/dev/null 2>"$T/log"
  local rss; rss=$(cat "$T"/r.rss.* | sort -n | tail -1); rm -f "$T"/r.rss.*
  echo "$(cut -d' ' -f1 "$T/time") $((rss / 1024))"
}

# ---- ingest ----
for np in 1 2; do
  set -- $(wall $np run configs/quick.yaml --workdir "$T/ing$np" --to ingest --force)
  frames=$(grep -Eo "[0-9]+ frames read" "$T/log" | cut -d' ' -f1)
  stage=$(grep -Eo "ingest done in [0-9.]+" "$T/log" | awk '{print $4}')
  echo "ingest np=$np: $frames frames in ${stage} s stage time = $(echo "$frames / $stage" | bc) frames/s (job wall $1 s)"
done

# ---- skeleton ----
skel() { # skel NAME N J METHOD NP
  local w="$T/sk-$1"
  if [ ! -f "$w/poses.h5" ]; then mkdir -p "$w"; /usr/bin/python3 tests/bench/make_tree_poses.py "$w/poses.h5" "$2" "$3" 5; fi
  printf 'run: {name: bench, seed: 1}\nstages:\n  skeleton: {method: %s, k: 1}\n' "$4" > "$T/sk.yaml"
  set -- $(wall "$5" run "$T/sk.yaml" --workdir "$w" --from skeleton --to skeleton --force)
  local t; t=$(grep -Eo "blocks in [0-9.]+ s" "$T/log" | awk '{print $3}')
  echo "$t $2"
}
read -r kd1 m1 <<<"$(skel a 18072 10 kdtree 1)"
read -r kd2 m2 <<<"$(skel a 18072 10 kdtree 2)"
read -r br1 mb <<<"$(skel a 18072 10 brute 1)"
echo "skeleton N=18072 J=10 (55 jobs): brute 1 rank ${br1} s, kdtree 1 rank ${kd1} s, kdtree 2 ranks ${kd2} s (slowest rank)"
echo "skeleton N=18072 J=10: kdtree/brute speed-up $(echo "scale=1; $br1 / $kd1" | bc)x; 2 ranks vs 1: $(echo "scale=2; $kd1 / $kd2" | bc)x; peak RSS per rank ${m1} MB"
read -r kd1 m1 <<<"$(skel b 100000 15 kdtree 1)"
read -r kd2 m2 <<<"$(skel b 100000 15 kdtree 2)"
echo "skeleton N=100000 J=15 (120 jobs): kdtree 1 rank ${kd1} s, 2 ranks ${kd2} s: $(echo "scale=2; $kd1 / $kd2" | bc)x; peak RSS per rank ${m1} MB (1 rank) ${m2} MB (2 ranks)"
if [ "${DP_BENCH_BIG:-0}" = 1 ]; then
  read -r kd2 m2 <<<"$(skel c 1000000 15 kdtree 2)"
  echo "skeleton N=1000000 J=15 (120 jobs): kdtree 2 ranks ${kd2} s, peak RSS per rank ${m2} MB"
fi

# ---- sample ----
printf 'run: {name: bench, seed: 1}\nstages:\n  sample: {count: 100000, coverage: false}\n' > "$T/sa.yaml"
mpirun -np 2 "$DP_BIN" run configs/quick.yaml --workdir "$T/ing1" --from skeleton --to skeleton >/dev/null 2>&1
for np in 1 2; do
  set -- $(wall $np run "$T/sa.yaml" --workdir "$T/ing1" --from sample --to sample --force)
  echo "sample np=$np: $(grep -Eo "[0-9]+ poses/s" "$T/log") for 100000 poses (job wall $1 s)"
done
