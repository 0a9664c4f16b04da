#!/usr/bin/env python3
"""Prints which top-level modules of src/ import which (`crate::x` paths outside test
modules) and fails if any two import each other, directly or through others.

    python3 scripts/module-graph.py          # the graph, then the cycles (none, exit 0)
"""
import collections
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

imports = collections.defaultdict(set)
for root, _, files in os.walk(SRC):
    for name in files:
        if not name.endswith(".rs"):
            continue
        path = os.path.join(root, name)
        top = os.path.relpath(path, SRC).split(os.sep)[0].removesuffix(".rs")
        text = open(path, encoding="utf-8").read()
        cut = text.find("#[cfg(test)]\nmod tests")
        if cut >= 0:
            text = text[:cut]
        for used in re.findall(r"crate::([a-z_]+)", text):
            if used != top:
                imports[top].add(used)


def reaches(start, goal):
    seen, stack = set(), [start]
    while stack:
        for nxt in imports.get(stack.pop(), ()):
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


for module in sorted(imports):
    print(f"{module} -> {', '.join(sorted(imports[module]))}")
cycles = sorted({tuple(sorted((a, b))) for a in imports for b in imports[a] if reaches(b, a)})
print("cycles:", ", ".join(f"{a} <-> {b}" for a, b in cycles) if cycles else "none")
sys.exit(1 if cycles else 0)
