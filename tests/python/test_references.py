"""Every source key resolves: each [KEY ...] in the scenarios, the targets
file, the docs (the parameter reference among them, generated from the code's
descriptions) and the README names a key that docs/references.md defines,
and each "DES YYYY/YY" a `source:` text names is listed there; no document
names a design file outside the repository.
Usage: test_references.py PCNSIM_BINARY SOURCE_DIR"""
import glob
import os
import re
import sys

source = sys.argv[2]
references = open(os.path.join(source, "docs", "references.md"), encoding="utf-8").read()
defined = set(re.findall(r"\*\*\[([A-Z][0-9]?)\]\*\*", references))
assert {"S3", "E"} <= defined, defined
des_listed = set(re.findall(r"DES 20\d\d/\d\d", references))

files = (glob.glob(os.path.join(source, "scenarios", "*.yaml")) + [os.path.join(source, "data", "targets.yaml")] +
         glob.glob(os.path.join(source, "docs", "*.md")) + [os.path.join(source, "README.md")])
KEY = re.compile(r"^[A-Z][0-9]?$")  # S3, E; not [SCENARIO.yaml] or [P_C >= T]
problems, keys_seen = [], 0
for path in files:
    text = open(path, encoding="utf-8").read()
    name = os.path.relpath(path, source)
    for line_no, line in enumerate(text.splitlines(), 1):
        for bracket in re.findall(r"\[([^\]]+)\]", line):
            for part in bracket.split(","):
                words = part.strip().split()
                if not words or not KEY.match(words[0]):
                    continue
                keys_seen += 1
                if words[0] not in defined:
                    problems.append(f"{name}:{line_no}: [{bracket}]: key {words[0]} is not in docs/references.md")
        for src in re.findall(r"source: \"([^\"]*)\"", line):
            for des in re.findall(r"DES 20\d\d/\d\d", src):
                if des not in des_listed:
                    problems.append(f"{name}:{line_no}: '{des}' is not listed in docs/references.md")
        for outside in ("MODEL.md", "evidence.md", "../shared"):
            if outside in line and path.endswith(".md"):
                problems.append(f"{name}:{line_no}: names {outside}, a file outside the repository")
assert not problems, "\n".join(problems)
assert keys_seen > 50, keys_seen  # the scan found the keys
print(f"{keys_seen} source keys in {len(files)} files resolve in docs/references.md")
