#!/usr/bin/env python3
"""Check rules/audit/scopes.toml against rules/audit/operations.toml and the list of
Terraform types the Okta provider documents. Standard library only (Python >= 3.11).

Usage: python3 scripts/check-audit-scopes.py [--root DIR] [-v]

Fails (exit 1) when:
- a Terraform type in tests/fixtures/audit/terraform-provider-okta-types.txt matches no
  `[[terraform]]` prefix (longest prefix wins; `data` -> read, `resource` -> manage);
- any scope named in scopes.toml (terraform, endpoint or example) is not a scope of some
  operation in operations.toml (`scope` or `also`);
- an operation in operations.toml matches no `[[endpoint]]` family, or its family answers
  another scope than the spec gives it (GET/HEAD -> read, other methods -> manage), apart
  from the KNOWN_EXCEPTIONS below, which a read/manage pair per prefix cannot express;
- two equally long endpoint prefixes match the same operation and disagree (the winner
  would depend on file order);
- an `[[example]]` resolves to another scope than it states, or disagrees with the
  operation of the same method and path.
"""

import argparse
import sys
import tomllib
from pathlib import Path

# (method, path in operations.toml form) -> why the family answer differs from the spec.
KNOWN_EXCEPTIONS = {
    ("POST", "/api/v1/idps/{id}/users/{id}"): "links a user to an IdP: okta.users.manage, "
    "while DELETE on the same path needs okta.idps.manage",
}


def segs(path):
    return [s for s in path.split("?")[0].split("#")[0].split("/") if s]


def matches(prefix, parts):
    return len(prefix) <= len(parts) and all(
        p.startswith("{") or p.lower() == g.lower() for p, g in zip(prefix, parts)
    )


def family(endpoints, path):
    """All longest matching endpoint entries (more than one means a tie)."""
    parts = segs(path)
    hits = [(len(segs(e["path"])), e) for e in endpoints if matches(segs(e["path"]), parts)]
    if not hits:
        return []
    top = max(n for n, _ in hits)
    return [e for n, e in hits if n == top]


def family_scope(entry, method):
    return entry["read"] if method.upper() in ("GET", "HEAD") else entry["manage"]


def terraform_entry(entries, kind):
    hits = [t for t in entries if kind.startswith(t["prefix"])]
    return max(hits, key=lambda t: len(t["prefix"])) if hits else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=Path(__file__).resolve().parent.parent, type=Path)
    ap.add_argument("-v", "--verbose", action="store_true", help="print each type's scope")
    args = ap.parse_args()
    root = args.root
    scopes = tomllib.loads((root / "rules/audit/scopes.toml").read_text())
    ops = tomllib.loads((root / "rules/audit/operations.toml").read_text())["operation"]
    fixture = root / "tests/fixtures/audit/terraform-provider-okta-types.txt"
    types = [
        line.split()
        for line in fixture.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    known = {o["scope"] for o in ops} | {s for o in ops for s in o.get("also", [])}
    endpoints = scopes["endpoint"]
    problems = []

    # 1. Terraform types.
    resolved = 0
    for kind, name in types:
        if kind not in ("resource", "data"):
            problems.append(f"fixture: bad line `{kind} {name}`")
            continue
        t = terraform_entry(scopes.get("terraform", []), name)
        if t is None:
            problems.append(f"terraform: unresolved {kind} {name}")
            continue
        scope = t["manage"] if kind == "resource" else t["read"]
        resolved += 1
        if args.verbose:
            print(f"{kind:8} {name:55} {scope:50} (prefix {t['prefix']})")

    # 2. Every scope named in scopes.toml is a scope of the spec.
    for section, fields in (("terraform", ("read", "manage")), ("endpoint", ("read", "manage"))):
        for e in scopes.get(section, []):
            for f in fields:
                if e[f] not in known:
                    key = e.get("prefix") or e.get("path")
                    problems.append(f"{section} {key}: {f} scope {e[f]} is not in operations.toml")
    for ex in scopes.get("example", []):
        if ex["scope"] not in known:
            problems.append(f"example {ex['request']}: scope {ex['scope']} is not in operations.toml")

    # 3. Operations against the endpoint families.
    exceptions_seen = []
    for o in ops:
        fam = family(endpoints, o["path"])
        where = f"{o['method']} {o['path']}"
        if not fam:
            problems.append(f"endpoint: no family for {where}")
            continue
        answers = {family_scope(e, o["method"]) for e in fam}
        if len(answers) > 1:
            problems.append(
                f"endpoint: equally long prefixes disagree for {where}: "
                + ", ".join(e["path"] for e in fam)
            )
        got = family_scope(fam[-1], o["method"])  # the Rust side takes the last of a tie
        if got != o["scope"]:
            why = KNOWN_EXCEPTIONS.get((o["method"], o["path"]))
            if why:
                exceptions_seen.append(f"{where}: family {got}, spec {o['scope']} ({why})")
            else:
                problems.append(
                    f"endpoint: {where} -> {got} (family {fam[-1]['path']}), spec says {o['scope']}"
                )

    # 4. Examples.
    by_key = {(o["method"], tuple(s.lower() for s in segs(o["path"]))): o for o in ops}
    for ex in scopes.get("example", []):
        method, path = ex["request"].split(" ", 1)
        fam = family(endpoints, path)
        got = family_scope(fam[-1], method) if fam else None
        if got != ex["scope"]:
            problems.append(f"example {ex['request']}: family answers {got}, example says {ex['scope']}")
        for (m, p), o in by_key.items():
            parts = [s.lower() for s in segs(path)]
            if m == method.upper() and len(p) == len(parts) and all(
                a == "{id}" or a == b for a, b in zip(p, parts)
            ):
                lit = sum(a != "{id}" for a in p)
                # only the most literal operation template counts
                best = max(
                    sum(a != "{id}" for a in q)
                    for (mm, q) in by_key
                    if mm == m and len(q) == len(parts) and all(a == "{id}" or a == b for a, b in zip(q, parts))
                )
                if lit == best and o["scope"] != ex["scope"]:
                    problems.append(
                        f"example {ex['request']}: operation {o['method']} {o['path']} needs {o['scope']}"
                    )

    print(
        f"{len(types)} Terraform types, {resolved} resolved; {len(endpoints)} endpoint families; "
        f"{len(ops)} operations; {len(scopes.get('example', []))} examples"
    )
    for e in exceptions_seen:
        print(f"note: known exception {e}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
