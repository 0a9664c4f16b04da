#!/usr/bin/env python3
"""Generate rules/audit/operations.toml from Okta's Management API OpenAPI spec.

Usage:
    python3 scripts/gen-audit-operations.py SPEC.yaml [OUT.toml] \
        [--source-repo okta/okta-management-openapi-spec] \
        [--source-path dist/current/management-oneOfInheritance.yaml] \
        [--source-commit SHA]

Requires PyYAML (`pip install pyyaml`); everything else is the standard library.
The libyaml-backed loader is used when available because the spec is ~3.5 MB.

The spec is the one published in https://github.com/okta/okta-management-openapi-spec
(`dist/current/management-*.yaml`). To regenerate:

    git clone https://github.com/okta/okta-management-openapi-spec /tmp/oms
    python3 scripts/gen-audit-operations.py \
        /tmp/oms/dist/current/management-oneOfInheritance.yaml \
        --source-commit "$(git -C /tmp/oms rev-parse HEAD)"

What is written: one `[[operation]]` per (method, path) for every Management API
path, i.e. every path starting with `/api/` plus the product-prefixed ones of the
form `/<product>/api/vN/...` (`/integrations/api/v1/api-services`,
`/privileged-access/api/v1/...`, `/attack-protection/api/v1/...`, ...: they carry
scopes such as okta.oauthIntegrations.* that no `/api/` path uses), whose
operation carries an `oauth2` security requirement with at least one scope.
`/.well-known/...` and `/oauth2/v1/...` paths are not kept. Path parameters are normalised to `{id}` whatever their name;
literal segments are kept as in the spec. The chosen `scope` is the
least-privileged one: for GET/HEAD the first listed `*.read` scope, otherwise the
first listed scope. Any other scopes the operation names go into `also`.
Operations without any OAuth scope are skipped and listed on stderr; their count
goes into the header comment. Output is sorted by path, then method.
"""

import argparse
import datetime
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("gen-audit-operations.py needs PyYAML: pip install pyyaml")

METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")
METHOD_ORDER = {m.upper(): i for i, m in enumerate(METHODS)}
PARAM = re.compile(r"\{[^/{}]+\}")
KEEP = re.compile(r"^(/[A-Za-z0-9_-]+)?/api/v[0-9]+/")


def load(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def oauth_scopes(security):
    """All oauth2 scopes named by a security requirement list, in order, deduplicated."""
    out = []
    for req in security or []:
        for scope in (req or {}).get("oauth2", []) or []:
            if scope not in out:
                out.append(scope)
    return out


def choose(method, scopes):
    if method in ("GET", "HEAD"):
        for s in scopes:
            if s.endswith(".read"):
                return s
    return scopes[0]


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("out", nargs="?", default="rules/audit/operations.toml")
    ap.add_argument("--source-repo", default="okta/okta-management-openapi-spec")
    ap.add_argument("--source-path", default="dist/current/management-oneOfInheritance.yaml")
    ap.add_argument("--source-commit", default="unknown")
    args = ap.parse_args()

    spec = load(args.spec)
    global_security = spec.get("security")
    version = (spec.get("info") or {}).get("version", "?")

    ops = {}  # (path, method) -> (scope, also)
    conflicts = []
    skipped = []
    total_kept_ops = 0
    for raw_path, item in (spec.get("paths") or {}).items():
        if not KEEP.match(raw_path):
            continue
        path = PARAM.sub("{id}", raw_path)
        for m in METHODS:
            op = item.get(m)
            if not isinstance(op, dict):
                continue
            total_kept_ops += 1
            method = m.upper()
            security = op.get("security", global_security)
            scopes = oauth_scopes(security)
            if not scopes:
                skipped.append(f"{method} {raw_path}")
                continue
            scope = choose(method, scopes)
            also = [s for s in scopes if s != scope]
            key = (path, method)
            if key in ops and ops[key] != (scope, also):
                conflicts.append(f"{method} {path}: {ops[key]} vs {(scope, also)}")
                # Keep the least-privileged / first seen deterministically.
                continue
            ops[key] = (scope, also)

    keys = sorted(ops, key=lambda k: (k[0], METHOD_ORDER[k[1]]))
    today = datetime.date.today().isoformat()
    lines = [
        "# Okta Management API operation -> OAuth 2.0 scope, one entry per (method, path).",
        "# GENERATED FILE - do not edit by hand; regenerate instead.",
        f"# Source: https://github.com/{args.source_repo} {args.source_path}",
        f"#   commit {args.source_commit}, spec info.version {version}",
        f"# Generated: {today} by scripts/gen-audit-operations.py",
        "# Regenerate: python3 scripts/gen-audit-operations.py <spec.yaml> --source-commit <sha>",
        "#   (see the script's docstring; needs PyYAML)",
        "#",
        "# Kept: paths starting with /api/ and product-prefixed /<product>/api/vN/ paths.",
        f"# {len(keys)} operations with an OAuth scope; "
        f"{len(skipped)} kept-path operations skipped (no OAuth scope in the spec):",
    ]
    for s in skipped:
        lines.append(f"#   {s}")
    lines += [
        "#",
        "# Path parameters are normalised to {id}. `scope` is the least-privileged scope",
        "# named by the operation (a .read scope for GET/HEAD when one is listed, else the",
        "# first listed). `also` lists the other scopes the operation names. NOTE: in this",
        "# spec every multi-scope operation lists its scopes in ONE security requirement,",
        "# which in OpenAPI means all of them are required together.",
        "",
    ]
    for path, method in keys:
        scope, also = ops[(path, method)]
        lines.append("[[operation]]")
        lines.append(f"method = {toml_str(method)}")
        lines.append(f"path = {toml_str(path)}")
        lines.append(f"scope = {toml_str(scope)}")
        if also:
            lines.append("also = [" + ", ".join(toml_str(s) for s in also) + "]")
        lines.append("")

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

    print(f"{total_kept_ops} Management API operations; wrote {len(keys)} to {args.out}", file=sys.stderr)
    print(f"skipped {len(skipped)} without an OAuth scope:", file=sys.stderr)
    for s in skipped:
        print(f"  {s}", file=sys.stderr)
    if conflicts:
        print(f"{len(conflicts)} conflicting duplicates after path normalisation:", file=sys.stderr)
        for c in conflicts:
            print(f"  {c}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
