# Config errors: each names file:line:col and the key path, and the run exits non-zero
# without creating outputs.
. "$(dirname "$0")/lib.sh"
expect_error() { # expect_error NAME PATTERN  (config in $T/NAME.yaml)
  dp_mpi 1 run "$T/$1.yaml" --workdir "$T/w-$1" >/dev/null 2>"$T/$1.err"; local rc=$?
  check "$1: non-zero exit" [ "$rc" -ne 0 ]
  check "$1: message matches '$2'" grep -Eq "$2" "$T/$1.err"
  check "$1: exactly one error line" [ "$(grep -c 'error' "$T/$1.err")" -eq 1 ]
  check "$1: no outputs" sh -c "! ls '$T/w-$1'/*.h5 >/dev/null 2>&1"
}
tiny_config "$T/base.yaml"

sed 's/count: 3000/count: abc/' "$T/base.yaml" > "$T/type.yaml"
expect_error type "type.yaml:15:12: stages.sample.count: expected a positive integer, got \"abc\""

sed 's/    k: 1/    kk: 1/' "$T/base.yaml" > "$T/unknown.yaml"
expect_error unknown "unknown.yaml:13:5: stages.skeleton.kk: unknown key \"kk\""

sed 's/  sample:/  smaple:/' "$T/base.yaml" > "$T/stage.yaml"
expect_error stage "stage.yaml:[0-9]+:[0-9]+: stages.smaple: unknown key"

printf 'run:\n  name: [unclosed\nstages:\n' > "$T/malformed.yaml"
expect_error malformed "malformed.yaml:[0-9]+:[0-9]+: malformed YAML"

expect_error missing "missing.yaml: cannot read the config file"

sed 's/estimator: kl/estimator: kl/; s/    k: 1/    k: 1\n    estimator: fancy/' "$T/base.yaml" > "$T/enum.yaml"
expect_error enum "stages.skeleton.estimator: expected one of kl, ksg, seed, got \"fancy\""

sed 's|data/cmu/02/02_0\[1-3\].bvh|data/cmu/nosuch/*.bvh|' "$T/base.yaml" > "$T/glob.yaml"
expect_error glob "glob.yaml:[0-9]+:[0-9]+: stages.ingest.sources\[0\].files: \"data/cmu/nosuch/\*.bvh\" matches no files"
finish
