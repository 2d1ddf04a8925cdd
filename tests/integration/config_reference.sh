# configs/reference.yaml documents exactly the keys the code reads, and every shipped
# config is valid.
. "$(dirname "$0")/lib.sh"
"$DP_BIN" keys configs/reference.yaml > "$T/asked" 2>"$T/err"
check "reference.yaml is a valid config" [ -s "$T/asked" ]
/usr/bin/python3 - configs/reference.yaml > "$T/documented" <<'PY'
import re, sys, yaml
text = open(sys.argv[1]).read()
keys = set()
def walk(node, path):
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            keys.add(p)
            if k != "joint_map":          # a joint map's own keys are joint names
                walk(v, p)
    elif isinstance(node, list):
        for item in node:
            walk(item, path + "[]")
walk(yaml.safe_load(text), "")
# keys documented only in a comment ("# asf: ..."), for options a default run leaves out
for m in re.finditer(r"^( *)# ([a-z_]+): ", text, re.M):
    if m.group(2) == "asf":
        keys.add("stages.ingest.sources[].asf")
print("\n".join(sorted(keys)))
PY
sort "$T/asked" > "$T/asked.sorted"
check "every key the code reads is in reference.yaml, and nothing else" \
  diff "$T/asked.sorted" "$T/documented"
for c in configs/*.yaml; do
  check "$c is valid" sh -c "'$DP_BIN' keys '$c' >/dev/null"
done
finish
