# CLI basics: help, version, stage list, usage errors.
. "$(dirname "$0")/lib.sh"
check "--help exits 0 and shows the commands" sh -c '"$DP_BIN" --help | grep -q "run CONFIG"'
check "--version prints the version" sh -c '"$DP_BIN" --version | grep -Eq "^depthpose [0-9]+\.[0-9]+"'
check "stages lists the seven stages in order" sh -c \
  '[ "$("$DP_BIN" stages | grep -Eo "^[a-z]+" | tr "\n" " ")" = "ingest skeleton sample render train evaluate report " ]'
"$DP_BIN" frobnicate >/dev/null 2>"$T/err"; rc=$?
check "an unknown command exits 2" [ "$rc" -eq 2 ]
check "and says which" grep -q "unknown command frobnicate" "$T/err"
"$DP_BIN" run >/dev/null 2>"$T/err"; rc=$?
check "run without CONFIG exits non-zero" [ "$rc" -ne 0 ]
"$DP_BIN" run configs/quick.yaml --bogus >/dev/null 2>"$T/err"; rc=$?
check "an unknown option exits non-zero and is named" sh -c "[ $rc -ne 0 ] && grep -q -- --bogus '$T/err'"
"$DP_BIN" run configs/quick.yaml --from nosuch --workdir "$T/w" >/dev/null 2>"$T/err"; rc=$?
check "--from with an unknown stage is an error" sh -c "[ $rc -ne 0 ] && grep -q 'no such stage' '$T/err'"
finish
