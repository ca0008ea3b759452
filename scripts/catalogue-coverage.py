#!/usr/bin/env python3
"""Per-group coverage of herdtools7's catalogue (../shared/litmus/catalogue) by `weaksim litmus`.

usage (from the project root, after `cargo build --release`):
    scripts/catalogue-coverage.py HERDTOOLS7_CHECKOUT

Each catalogue file is put in the herdtools7 folder it comes from (by content, else by name) and
each verdicts.tsv row counted as agree (herd7's verdict and state count), refused (exit 2 with a
position) or other (wrong, bounded). Prints a Markdown table.
"""
import collections, json, os, subprocess, sys

herd = sys.argv[1]
cat = "../shared/litmus/catalogue"
tree = subprocess.run(["git", "-C", herd, "ls-tree", "-r", "HEAD"], capture_output=True, text=True).stdout
bysha, byname = collections.defaultdict(list), collections.defaultdict(list)
for line in tree.splitlines():
    meta, path = line.split("\t")
    if path.endswith(".litmus"):
        bysha[meta.split()[2]].append(path)
        byname[os.path.basename(path)].append(path)
ORDER = ["catalogue/aarch64-pick/tests", "catalogue/aarch64-down-one-leg/tests", "catalogue/aarch64-mixed/tests",
         "herd/tests/instructions/AArch64", "herd/tests/instructions/AArch64.ASL",
         "herd/tests/instructions/AArch64.mixed", "doc", "doc/tst-x86", "herd/tests/instructions/X86_64"]
rows = [l.split("\t") for l in open(f"{cat}/verdicts.tsv").read().splitlines()[1:]]
files = sorted({r[0] for r in rows})

def group(f):
    sha = subprocess.run(["git", "hash-object", f"{cat}/{f}"], capture_output=True, text=True).stdout.strip()
    base = os.path.basename(f).split("__")[0].removesuffix(".litmus") + ".litmus"
    dirs = {os.path.dirname(p) for p in bysha.get(sha) or byname.get(base, [])}
    for d in ORDER:
        if d in dirs:
            return "doc" if d == "doc/tst-x86" else d
    return {"x86": "doc", "x86_64": "herd/tests/instructions/X86_64"}.get(f.split("/")[0], "(origin not found)")

groups = {f: group(f) for f in files}
got = {}
for model in sorted({r[2] for r in rows}):
    fs = sorted({r[0] for r in rows if r[2] == model})
    out = subprocess.run(["target/release/weaksim", "litmus", "--model", model, "--format", "json",
                          *[f"{cat}/{f}" for f in fs]], capture_output=True, text=True).stdout
    for line in out.splitlines():
        o = json.loads(line)
        got[(o["file"].removeprefix(cat + "/"), model)] = o
table = collections.defaultdict(lambda: [set(), 0, 0, 0, 0])
for f, _, model, verdict, states, _ in rows:
    t = table[groups[f]]
    t[0].add(f)
    t[1] += 1
    o = got.get((f, model), {})
    if "error" in o:
        t[3] += 1
    elif o.get("verdict") == verdict and str(o.get("states")) == states:
        t[2] += 1
    else:
        t[4] += 1
print("| group (herdtools7 folder) | files | rows | agree | refused | other |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
tot = [0, 0, 0, 0, 0]
for g in ORDER + ["(origin not found)"]:
    if g in table:
        fs, n, a, r, o = table[g]
        print(f"| `{g}` | {len(fs)} | {n} | {a} | {r} | {o} |")
        for i, v in enumerate([len(fs), n, a, r, o]):
            tot[i] += v
print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} | {tot[4]} |")
