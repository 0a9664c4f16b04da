#!/usr/bin/env python3
"""Generate rules/audit/operations.toml from Okta's published OpenAPI specs.

Usage:
    python3 scripts/gen-audit-operations.py MANAGEMENT_SPEC.yaml [MORE_SPEC.yaml ...] \
        [-o rules/audit/operations.toml] [--source-repo okta/okta-management-openapi-spec] \
        [--source-commit SHA]

Requires PyYAML (`pip install pyyaml`); everything else is the standard library.
The libyaml-backed loader is used when available because the specs are ~3.5 MB.

The specs are the ones published in https://github.com/okta/okta-management-openapi-spec
(`dist/current/`). argv[1] is the Management API spec; further specs (the Identity
Governance one, whose `okta.governance.*` scopes some Terraform resources need) are
merged in. To regenerate:

    git clone https://github.com/okta/okta-management-openapi-spec /tmp/oms
    python3 scripts/gen-audit-operations.py \
        /tmp/oms/dist/current/management-oneOfInheritance.yaml \
        /tmp/oms/dist/current/governance-combined-production-reference-oneOfInheritance.yaml \
        --source-commit "$(git -C /tmp/oms rev-parse HEAD)"

What is written: one `[[operation]]` per (method, path) for every Management API
path, i.e. every path starting with `/api/` plus the product-prefixed ones of the
form `/<product>/api/vN/...` (`/integrations/api/v1/api-services`,
`/privileged-access/api/v1/...`, `/attack-protection/api/v1/...`,
`/governance/api/v1/...`: they carry scopes such as okta.oauthIntegrations.* and
okta.governance.* that no `/api/` path uses), whose operation carries an OAuth 2.0
security requirement (any security scheme of type `oauth2`, whatever its name) with
at least one scope. `/.well-known/...` and `/oauth2/v1/...` paths are not kept.

Path parameters are normalised to `{id}` whatever their name; literal segments
are kept as in the spec. The chosen `scope` is the least-privileged one: for
GET/HEAD the first listed `*.read` scope, otherwise the first listed scope. Any
other scopes the operation names go into `also`. Operations without any OAuth
scope are skipped and listed on stderr; their count goes into the header
comment. Output is sorted by path, then method, and deduplicated.
"""

import argparse
import datetime
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("gen-audit-operations.py needs PyYAML: pip install pyyaml")

METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")
METHOD_ORDER = {m.upper(): i for i, m in enumerate(METHODS)}
PARAM = re.compile(r"\{[^/{}]+\}")
KEEP = re.compile(r"^(/[A-Za-z0-9_-]+)?/api/v[0-9]+/|^/oauth2/v1/clients/\{[^/{}]+\}/roles")


def load(path):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=loader)


def oauth_scheme_names(spec):
    """Names of the spec's OAuth 2.0 security schemes (`oauth2`, `OAuth2`, ...)."""
    schemes = ((spec.get("components") or {}).get("securitySchemes") or {}).items()
    names = {name for name, s in schemes if (s or {}).get("type") == "oauth2"}
    return names or {"oauth2"}


def oauth_scopes(security, schemes):
    """OAuth scopes named by a security requirement list, in order, deduplicated, and
    whether several were named within one requirement (OpenAPI: all required)."""
    out, together = [], False
    for req in security or []:
        named = [s for name in schemes for s in ((req or {}).get(name) or [])]
        together |= len(named) > 1
        for scope in named:
            if scope not in out:
                out.append(scope)
    return out, together


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
    ap.add_argument("specs", nargs="+", metavar="SPEC", help="argv[1]: the Management API spec; then any others")
    ap.add_argument("-o", "--out", default="rules/audit/operations.toml")
    ap.add_argument("--source-repo", default="okta/okta-management-openapi-spec")
    ap.add_argument("--source-dir", default="dist/current", help="folder of the specs in that repository")
    ap.add_argument("--source-commit", default="unknown")
    args = ap.parse_args()

    ops = {}  # (path, method) -> (scope, also)
    unscoped = {}  # (path, method) -> (operationId, tag, why): SDK methods with no scope
    conflicts, skipped, sources = [], [], []
    total_kept_ops = together_ops = either_ops = 0
    for spec_file in args.specs:
        spec = load(spec_file)
        schemes = oauth_scheme_names(spec)
        global_security = spec.get("security")
        version = (spec.get("info") or {}).get("version", "?")
        sources.append(f"{args.source_dir}/{os.path.basename(spec_file)} (info.version {version})")
        for raw_path, item in (spec.get("paths") or {}).items():
            for m in METHODS:
                op = item.get(m) if isinstance(item, dict) else None
                if not isinstance(op, dict) or not op.get("operationId"):
                    continue
                security = op.get("security", global_security)
                if oauth_scopes(security, schemes)[0]:
                    continue
                tags = op.get("tags") or []
                why = ("public: the spec requires no authentication" if security == []
                       else "the spec names no OAuth scope for it: a static token or a user's session only")
                unscoped.setdefault((PARAM.sub("{id}", raw_path), m.upper()),
                                    (op["operationId"], tags[0] if tags else "", why))
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
                scopes, together = oauth_scopes(security, schemes)
                if not scopes:
                    skipped.append(f"{method} {raw_path}")
                    continue
                if len(scopes) > 1:
                    if together:
                        together_ops += 1
                    else:
                        either_ops += 1
                scope = choose(method, scopes)
                also = [s for s in scopes if s != scope]
                key = (path, method)
                if key in ops:
                    if ops[key][:2] != (scope, also):
                        conflicts.append(f"{method} {path}: {ops[key][:2]} vs {(scope, also)}")
                    continue  # first seen wins; duplicates are dropped
                # The generated SDKs name their methods after operationId and group them
                # by the first tag (`UserApi.listUsers`, `client.UserAPI.ListUsers`).
                tags = op.get("tags") or []
                ops[key] = (scope, also, op.get("operationId") or "", tags[0] if tags else "")

    keys = sorted(ops, key=lambda k: (k[0], METHOD_ORDER[k[1]]))
    today = datetime.date.today().isoformat()
    lines = [
        "# Okta Management API operation -> OAuth 2.0 scope, one entry per (method, path).",
        "# GENERATED FILE - do not edit by hand; regenerate instead.",
        f"# Source: https://github.com/{args.source_repo} at commit {args.source_commit}:",
    ]
    lines += [f"#   {s}" for s in sources]
    lines += [
        f"# Generated: {today} by scripts/gen-audit-operations.py",
        "# Regenerate: python3 scripts/gen-audit-operations.py <management.yaml> <governance.yaml> \\",
        "#   --source-commit <sha>   (see the script's docstring; needs PyYAML)",
        "#",
        "# Kept: paths starting with /api/, product-prefixed /<product>/api/vN/ paths, and the",
        "# role assignments of OAuth clients (/oauth2/v1/clients/{id}/roles...).",
        f"# {len(keys)} operations with an OAuth scope; "
        f"{len(skipped)} kept-path operations skipped (no OAuth scope in the spec):",
    ]
    lines += [f"#   {s}" for s in skipped]
    lines += [
        "#",
        "# `operation-id` and `tag` are the spec's operationId and first tag: the generated SDKs",
        "# name their methods after them (see src/audit for how calls are matched).",
        "# Path parameters are normalised to {id}. `scope` is the least-privileged scope",
        "# named by the operation (a .read scope for GET/HEAD when one is listed, else the",
        "# first listed). `also` lists the other scopes the operation names:",
        f"# {together_ops} operation(s) name them in ONE security requirement (OpenAPI: all are",
        f"# required together), {either_ops} in separate requirements (any one suffices).",
        "",
    ]
    for path, method in keys:
        scope, also, operation_id, tag = ops[(path, method)]
        lines.append("[[operation]]")
        lines.append(f"method = {toml_str(method)}")
        lines.append(f"path = {toml_str(path)}")
        lines.append(f"scope = {toml_str(scope)}")
        if operation_id:
            lines.append(f"operation-id = {toml_str(operation_id)}")
        if tag:
            lines.append(f"tag = {toml_str(tag)}")
        if also:
            lines.append("also = [" + ", ".join(toml_str(s) for s in also) + "]")
        lines.append("")

    lines += [
        "# Operations with no OAuth scope, for SDK methods named after them: a call to one",
        "# needs no scope (or cannot be made by a service app), and says so.",
        "",
    ]
    for path, method in sorted(unscoped, key=lambda k: (k[0], METHOD_ORDER[k[1]])):
        operation_id, tag, why = unscoped[(path, method)]
        lines.append("[[unscoped-operation]]")
        lines.append(f"method = {toml_str(method)}")
        lines.append(f"path = {toml_str(path)}")
        lines.append(f"operation-id = {toml_str(operation_id)}")
        if tag:
            lines.append(f"tag = {toml_str(tag)}")
        lines.append(f"why = {toml_str(why)}")
        lines.append("")

    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

    print(f"{total_kept_ops} kept operations; wrote {len(keys)} to {args.out}", file=sys.stderr)
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
