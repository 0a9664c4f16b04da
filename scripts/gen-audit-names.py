#!/usr/bin/env python3
"""List the operationIds earlier versions of Okta's spec gave today's operations.

Okta's SDKs are generated from the spec of their day, so a method may carry an
operationId the current spec has renamed: okta-sdk-golang v5 and v2, the Node SDK before
v7 and the Python SDK call POST /api/v1/groups `createGroup`, today's spec `addGroup`.
This walks every version of the spec files in the history of
okta/okta-management-openapi-spec (any commit on any ref), reads each version's operations
(method, path with parameters normalised to {id}, operationId) and writes, for each
operation of rules/audit/operations.toml, the operationIds it had that differ from today's.

Spec versions are read with a line scanner, not a YAML parser: every version keeps the
layout `  /path:` / `    get:` / `      operationId: name`, and hundreds of multi-megabyte
versions parse in seconds this way.

Usage: python3 scripts/gen-audit-names.py <bare git dir of the spec repo> \\
           rules/audit/operations.toml > rules/audit/operation-names.toml
"""

import argparse
import re
import subprocess
import sys
import tomllib
from collections import defaultdict

SPEC = re.compile(r"(^|/)(spec|management(-[a-zA-Z]+)*)\.ya?ml$")
PARAM = re.compile(r"\{[^}/]+\}")
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def git(gitdir, *args, text=True):
    return subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True,
                          text=text, check=True).stdout


def spec_blobs(gitdir):
    """Unique blob ids of every version of the management spec files, oldest first."""
    seen, order = set(), []
    log = git(gitdir, "log", "--all", "--reverse", "--format=", "--raw", "--no-abbrev")
    for line in log.splitlines():
        # :100644 100644 <old> <new> M<TAB>path
        if not line.startswith(":") or "\t" not in line:
            continue
        meta, path = line.split("\t", 1)
        path = path.split("\t")[-1]
        blob = meta.split()[3]
        if SPEC.search(path) and not set(blob) == {"0"} and blob not in seen:
            seen.add(blob)
            order.append(blob)
    return order


def operations(text):
    """(METHOD, normalised path, operationId) of one spec version."""
    out = []
    path = method = None
    in_paths = multi = False
    for line in text.splitlines():
        if not line or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_paths = line.rstrip() == "paths:"
            continue
        if not in_paths:
            continue
        m = re.match(r"^  (['\"]?)(/[^:'\"]*)\1:\s*$", line)
        if m:
            path, method = PARAM.sub("{id}", m.group(2)), None
            continue
        m = re.match(r"^    ([a-z]+):\s*$", line)
        if m:
            method = m.group(1) if m.group(1) in METHODS else None
            multi = False
            continue
        m = re.match(r"^      ([A-Za-z0-9_-]+):", line)
        if m:
            # Swagger 2 versions list variants of one operation (publishCerCert,
            # publishDerCert, ...) under x-okta-multi-operation; the SDKs made each a method.
            multi = m.group(1) == "x-okta-multi-operation"
        m = re.match(r"^      operationId:\s*['\"]?([A-Za-z0-9_]+)", line)
        if not m and multi:
            m = re.match(r"^ {8,}(?:- )?operationId:\s*['\"]?([A-Za-z0-9_]+)", line)
        if m and path and method:
            out.append((method.upper(), path, m.group(1)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gitdir", help="bare git directory of okta/okta-management-openapi-spec")
    ap.add_argument("operations", help="rules/audit/operations.toml")
    args = ap.parse_args()
    with open(args.operations, "rb") as f:
        current = tomllib.load(f)["operation"]
    today = {(o["method"], o["path"]): o.get("operation-id", "") for o in current}
    names = defaultdict(set)
    blobs = spec_blobs(args.gitdir)
    read = 0
    for blob in blobs:
        text = git(args.gitdir, "cat-file", "blob", blob, text=False).decode("utf-8", "replace")
        ops = operations(text)
        if ops:
            read += 1
        for method, path, op_id in ops:
            if (method, path) in today and op_id != today[(method, path)]:
                names[(method, path)].add(op_id)
    head = git(args.gitdir, "rev-parse", "HEAD").strip()
    print("# Earlier operationIds of the operations in operations.toml: SDKs generated from older")
    print("# versions of Okta's spec still name their methods after them (createGroup for today's")
    print("# addGroup). GENERATED FILE by scripts/gen-audit-names.py from every version of the")
    print(f"# management spec in the history of okta/okta-management-openapi-spec (HEAD {head}):")
    print(f"# {read} spec versions with operations, {len(names)} operations renamed at least once.")
    for (method, path) in sorted(names):
        print()
        print("[[operation]]")
        print(f'method = "{method}"')
        print(f'path = "{path}"')
        print("names = [" + ", ".join(f'"{n}"' for n in sorted(names[(method, path)])) + "]")
    if not names:
        sys.exit("no earlier operationIds found: is this the spec repository?")


if __name__ == "__main__":
    main()
