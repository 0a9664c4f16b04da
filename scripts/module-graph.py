#!/usr/bin/env python3
"""Prints which modules of src/ import which, level by level, and fails on any import
cycle between sibling modules, at the top level (`source` <-> `pipeline`) and inside
every folder (`source::git::history` <-> `source::git::range`). A folder's own `mod.rs`
counts as a sibling of the modules in it (shown as `git::(mod)`), so shared helpers it
holds must not import the modules that use them. Test modules are left out.

    python3 scripts/module-graph.py          # the graphs, then the cycles (none, exit 0)
"""
import collections
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
MOD = "(mod)"


def module_of(rel):
    """('source', 'git', 'history') for source/git/history.rs; the folder for a mod.rs."""
    parts = rel.removesuffix(".rs").split(os.sep)
    if parts[-1] == "mod" or (len(parts) == 1 and parts[0] in ("lib", "main")):
        parts = parts[:-1]
    return tuple(parts), rel.endswith("mod.rs")


files = {}
for root, _, names in os.walk(SRC):
    for name in names:
        if name.endswith(".rs"):
            rel = os.path.relpath(os.path.join(root, name), SRC)
            files[rel] = module_of(rel)
modules = {m for m, _ in files.values()}


def resolve(path):
    """The longest known module that a `crate::a::b::…` path starts with."""
    best = ()
    for i in range(1, len(path) + 1):
        if tuple(path[:i]) in modules:
            best = tuple(path[:i])
    return best


PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)(::\{[^;]*?\})?")


def targets(text, module):
    """Modules that `text` (the file of `module`) names, resolved to absolute paths."""
    # Paths relative to the module itself: its own submodules (`history::scan_history`).
    for child in re.findall(r"^\s*(?:pub(?:\([a-z]+\))? )?mod ([a-z_0-9]+);", text, re.M):
        for m in re.finditer(rf"(?<![:\w]){child}::((?:[A-Za-z_][A-Za-z0-9_]*::)*)", text):
            yield resolve(list(module) + [child] + m.group(1).strip(":").split("::"))
    for m in PATH.finditer(text):
        head, rest, group = m.group(1), m.group(2), m.group(3)
        parts = rest.strip(":").split("::")
        base = [] if head == "crate" else list(module)
        if head == "super":
            base = base[:-1]
            while parts and parts[0] == "super":
                parts, base = parts[1:], base[:-1]
        full = base + parts
        yield resolve(full)
        if group:
            for item in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*", group):
                yield resolve(full + item.split("::"))
    # `use super::{a, b}` without a path after `super`.
    for m in re.finditer(r"\b(super|self)::\{([^;]*?)\}", text):
        base = list(module) if m.group(1) == "self" else list(module[:-1])
        for item in re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z_][A-Za-z0-9_]*)*", m.group(2)):
            yield resolve(base + item.split("::"))


def node(module, is_dir, parent):
    """The sibling under `parent` that `module` belongs to (`(mod)` for the folder's own file)."""
    if module == parent:
        return MOD if is_dir else None
    if module[: len(parent)] == parent and len(module) > len(parent):
        return module[len(parent)]
    return None


# graphs[parent][a] = siblings a imports
graphs = collections.defaultdict(lambda: collections.defaultdict(set))
for rel, (module, is_dir) in sorted(files.items()):
    text = open(os.path.join(SRC, rel), encoding="utf-8").read()
    cut = text.find("#[cfg(test)]\nmod tests")
    if cut >= 0:
        text = text[:cut]
    for target in set(targets(text, module)):
        for depth in range(0, max(len(module), len(target)) + 1):
            parent = module[:depth]
            if target[:depth] != parent:
                break
            a = node(module, is_dir, parent)
            b = node(target, True, parent)
            if a and b and a != b:
                graphs[parent][a].add(b)


def cycles_of(graph):
    def reaches(start, goal):
        seen, stack = set(), [start]
        while stack:
            for nxt in graph.get(stack.pop(), ()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    return sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if reaches(b, a)})


found = []
for parent in sorted(graphs):
    prefix = "::".join(parent) + "::" if parent else ""
    print(f"[{'::'.join(parent) or 'crate'}]")
    for module in sorted(graphs[parent]):
        print(f"  {prefix}{module} -> {', '.join(sorted(graphs[parent][module]))}")
    found += [f"{prefix}{a} <-> {prefix}{b}" for a, b in cycles_of(graphs[parent])]
print("cycles:", ", ".join(found) if found else "none")
sys.exit(1 if found else 0)
