# Report: the tiny run through evaluate, then the report on 1 and on 2 ranks (the same
# bytes), rerun with --from report --force (the same bytes again). The page holds every
# figure and the per-joint table with per_joint.csv's numbers; every SVG, standalone or
# inline, parses as XML; the page needs no network and no script. Bad inputs fail with
# file:line or file + dataset and leave no report files; absent optional datasets give a
# note, not a failure.
. "$(dirname "$0")/lib.sh"
tiny_config "$T/c.yaml"
printf '  report:\n    frames: 8\n    title: "tiny <&> run"\n' >> "$T/c.yaml"
W="$T/w"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" --to evaluate 2>"$T/up.log" || { cat "$T/up.log"; fail "tiny run through evaluate"; finish; }
FIGS="skeleton.svg mi.svg coverage.svg gallery.svg frames.png training.svg per_joint.svg"

start=$(date +%s.%N)
dp_mpi 1 run "$T/c.yaml" --workdir "$W" 2>"$T/r1.log"; rc=$?
check "report on 1 rank" [ $rc -eq 0 ]
echo "report stage: $(grep '== report done' "$T/r1.log")"
for f in index.html $FIGS; do check "report/$f written" test -s "$W/report/$f"; done
check "no .partial files left" sh -c "! ls '$W/report/' | grep -q partial"
cp -r "$W/report" "$T/report.1"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" --from report --force 2>"$T/r2.log"
check "report on 2 ranks with --from report --force" grep -q "== report done" "$T/r2.log"
check "1 and 2 ranks, and the forced rerun, give identical bytes" diff -r "$T/report.1" "$W/report"
dp_mpi 2 run "$T/c.yaml" --workdir "$W" 2>"$T/r3.log"
check "a rerun finds the report up to date" grep -q "report: up to date" "$T/r3.log"

check "the page and the figures are what they should be" /usr/bin/python3 - "$W" <<'PY'
import csv, re, struct, sys, xml.etree.ElementTree as ET
w = sys.argv[1]
page = open(f"{w}/report/index.html", encoding="utf-8").read()
bad = []
for fid in ["skeleton", "mi", "coverage", "gallery", "frames", "training", "errors"]:
    if f'<figure id="fig-{fid}">' not in page: bad.append(f"figure {fid} missing")
# every inline SVG parses, and each standalone SVG file is on the page verbatim
inline = re.findall(r"<svg .*?</svg>\n", page, re.S)
for s in inline: ET.fromstring(s)
notes = 0
for name, fid in [("skeleton", "skeleton"), ("mi", "mi"), ("coverage", "coverage"), ("gallery", "gallery"),
                  ("training", "training"), ("per_joint", "errors")]:
    text = open(f"{w}/report/{name}.svg", encoding="utf-8").read()
    root = ET.fromstring(text)
    if root.tag != "{http://www.w3.org/2000/svg}svg": bad.append(f"{name}.svg: root is {root.tag}")
    if "nan" in text.lower().replace("nans", ""): bad.append(f"{name}.svg has a nan")
    # inline, or (data absent, e.g. no training history) a one-line note in its place
    block = page.split(f'<figure id="fig-{fid}">')[1].split("</figure>")[0]
    if '<p class="note">' in block: notes += 1
    elif text not in block: bad.append(f"{name}.svg is not inline in its figure")
if len(inline) + notes != 6: bad.append(f"{len(inline)} inline SVGs and {notes} notes, expected 6 in all")
png = open(f"{w}/report/frames.png", "rb").read()
if png[:8] != b"\x89PNG\r\n\x1a\n": bad.append("frames.png is not a PNG")
width, height = struct.unpack(">II", png[16:24])
if (width, height) != (4 * 176 + 3 * 2, 2 * 144 + 2): bad.append(f"frames.png is {width}x{height}")
if "data:image/png;base64," not in page: bad.append("the PNG is not embedded")
# self-contained: no script, no remote resource (the only URL is the SVG namespace)
if re.search(r"<script|<link|<iframe|@import|url\(", page, re.I): bad.append("script or external resource")
if set(re.findall(r"https?://[^\"' <]+", page)) - {"http://www.w3.org/2000/svg"}: bad.append("a URL other than the SVG namespace")
# the per-joint table holds per_joint.csv's numbers, row by row, as written
rows = list(csv.reader(open(f"{w}/results/per_joint.csv")))
for r in rows[1:]:
    cells = "".join(f"<td>{c}</td>" for c in r)
    if cells not in page: bad.append(f"table row for {r[0]} not found: {cells}")
if len(rows) < 3: bad.append("per_joint.csv too short")
for want in ["<title>tiny &lt;&amp;&gt; run</title>", "<h1>tiny &lt;&amp;&gt; run</h1>", "Mean joint error", "Pose coverage", "Skeleton tree", "<h2 id=\"pipeline\">", "<td>evaluate</td><td>done</td>"]:
    if want not in page: bad.append(f"page lacks {want}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

# ---- bad input: copies of the work directory with one file replaced ------------------
bad_copy() { rm -rf "$T/b" && cp -al "$W" "$T/b" && rm -rf "$T/b/report"; }
no_report() { ! ls "$T/b/report/" 2>/dev/null | grep -q .; }

bad_copy
sed '3s/,[^,]*$//' "$W/results/per_joint.csv" > "$T/pj.csv" && rm "$T/b/results/per_joint.csv" && cp "$T/pj.csv" "$T/b/results/per_joint.csv"
dp_mpi 2 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/e1.log"; rc=$?
check "per_joint.csv with a short line: non-zero exit" [ $rc -ne 0 ]
check "per_joint.csv with a short line: file:line and what was expected" grep -q "results/per_joint.csv:3: expected 6 comma-separated fields (as in the header), got 5" "$T/e1.log"
check "per_joint.csv with a short line: no report files" no_report

bad_copy
rm "$T/b/skeleton.h5" && cp "$W/skeleton.h5" "$T/b/skeleton.h5"
/usr/bin/python3 - "$T/b/skeleton.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r+") as f:
    n = [x for x in f.attrs["joint_names"]]; n[1], n[2] = n[2], n[1]
    f.attrs["joint_names"] = np.array(n)
PY
dp_mpi 2 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/e2.log"; rc=$?
check "skeleton.h5 with other joint names: non-zero exit" [ $rc -ne 0 ]
check "skeleton.h5 with other joint names: names the file and the joint" grep -Eq "skeleton.h5: joint 1 is [a-z_]+ but poses.h5 has [a-z_]+" "$T/e2.log"
check "skeleton.h5 with other joint names: no report files" no_report

bad_copy
rm "$T/b/results/summary.json" && printf '{\n  "frames": 40,\n  "mean_joint_error_mm": ,\n}\n' > "$T/b/results/summary.json"
dp_mpi 1 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/e3.log"; rc=$?
check "malformed summary.json: file:line" sh -c "[ $rc -ne 0 ] && grep -q 'results/summary.json:3: JSON syntax error' '$T/e3.log'"

bad_copy
rm "$T/b/synth.h5" && cp "$W/synth.h5" "$T/b/synth.h5"
/usr/bin/python3 - "$T/b/synth.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    p = f["poses"][:, :5, :]; del f["poses"]; f["poses"] = p
PY
dp_mpi 1 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/e4.log"; rc=$?
check "synth.h5 /poses of the wrong shape: names file, dataset, shapes" sh -c "[ $rc -ne 0 ] && grep -Eq 'synth.h5: dataset poses has shape \[[0-9]+,5,3\], expected \[\*,[0-9]+,3\]' '$T/e4.log'"

bad_copy
DEPTHPOSE_FAULT=fail:report:1 dp_mpi 2 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/e5.log"; rc=$?
check "a failure on rank 1 fails the stage and leaves no report files" sh -c "[ $rc -ne 0 ] && grep -q 'rank 1' '$T/e5.log'" 
check "  (no files)" no_report

# ---- optional data absent or present: a note, or the figure ------------------------
bad_copy
for f in synth.h5 model.h5; do rm "$T/b/$f" && cp "$W/$f" "$T/b/$f"; done
/usr/bin/python3 - "$T/b" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1] + "/synth.h5", "r+") as f:
    del f["coverage_test_to_train"]; del f["coverage_test_to_synth"]
with h5py.File(sys.argv[1] + "/model.h5", "r+") as f:
    if "epoch_history" in f: del f["epoch_history"]
PY
dp_mpi 1 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/o1.log"; rc=$?
check "no coverage and no epoch history: the report still succeeds" [ $rc -eq 0 ]
check "  with a note for each" sh -c "grep -q 'synth.h5 has no coverage distances' '$T/b/report/index.html' && grep -q 'model.h5 has no /epoch_history' '$T/b/report/index.html'"
check "  and the stand-in figures parse" /usr/bin/python3 -c "
import sys, xml.etree.ElementTree as ET
for n in ['coverage', 'training']: ET.parse(sys.argv[1] + '/report/' + n + '.svg')" "$T/b"
/usr/bin/python3 - "$T/b/model.h5" <<'PY'
import sys, h5py, numpy as np
rows = [[p, e, 1.0 / (e + 1 + p), 1.1 / (e + 1 + p), np.nan if p == 0 else 300 - 10 * e, 0.5, 8]
        for p, n in [(0, 2), (1, 3), (2, 1)] for e in range(n)]
with h5py.File(sys.argv[1], "r+") as f:
    d = f.create_dataset("epoch_history", data=np.array(rows, "f8"))
    d.attrs["columns"] = np.array([b"phase", b"epoch", b"train_loss", b"val_loss", b"val_mean_joint_error_mm", b"val_box_iou", b"val_frames"])
PY
dp_mpi 1 run "$T/c.yaml" --workdir "$T/b" --from report 2>"$T/o2.log"; rc=$?
check "with an epoch history: three phase panels and the validation error" sh -c "[ $rc -eq 0 ] && grep -q '>end-to-end loss<' '$T/b/report/training.svg' && grep -q 'val. mean joint error (mm)' '$T/b/report/training.svg'"
finish
