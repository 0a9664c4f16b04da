#!/usr/bin/env python3
"""Writes a synthetic directory-scan corpus: code, config, logs and HTTP fixtures with a few
planted leaks, so that the speed figures also cover the path where findings are made (the real
checkout in bench/README.md has none).

Usage: bench/synth.py DIR [--mb 256]

Deterministic (fixed seed): the same DIR content on every machine. Every planted token is random
at generation time and synthetic; nothing here is a real secret, and nothing is committed.
Prints the number of planted Okta tokens and URL secrets.
"""

import argparse
import random
import string
from pathlib import Path

rng = random.Random(20261130)
TOKEN_CHARS = string.ascii_letters + string.digits + "_-"
WORDS = ("user group app client token request response session config value result error "
         "status policy factor schedule render buffer handler context record ").split()


def ident(r=None, words=WORDS):
    r = r or rng
    return "_".join(r.choice(words) for _ in range(r.randint(1, 3)))


def token():
    while True:
        body = "".join(rng.choice(TOKEN_CHARS) for _ in range(40))
        if any(c.isdigit() for c in body) and any(c.isupper() for c in body):
            return "00" + body


def code_line(r=None, words=WORDS, host="example.com", blank_lines=False):
    """A line of Python-like code; `r`, `words`, `host` and `blank_lines` let bench/org-gen.py
    draw the same kinds of lines from its own generator."""
    r = r or rng

    def name():
        return ident(r, words)

    kind = r.randrange(7 if blank_lines else 6)
    if kind == 0:
        return f"    {name()} = {name()}({name()}, {r.randrange(10**6)})\n"
    if kind == 1:
        return f"    if {name()} is None or len({name()}) > {r.randrange(100)}:\n"
    if kind == 2:
        return f'    log.info("{name()} {r.randrange(16**12):012x} done in %d ms", {name()})\n'
    if kind == 3:
        return f"# {' '.join(r.choice(words) for _ in range(r.randint(4, 12)))}\n"
    if kind == 4:
        return f'    url = "https://{host}/api/v1/{r.choice(words)}s/{r.randrange(10**9)}"\n'
    if kind == 5 and blank_lines:
        return "\n"
    return f"def {name()}(self, {name()}, {name()}=None):\n"


LEAKS = [
    lambda: f'headers = {{"Authorization": "SSWS {token()}"}}\n',
    lambda: f"OKTA_CLIENT_TOKEN={token()}\n",
    lambda: f'      Authorization: ["SSWS {token()}"]\n',
    lambda: ("GET /v1/export?api_key="
             + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))
             + " HTTP/1.1\n"),
]
EXTENSIONS = ["py", "go", "js", "yaml", "log", "json", "md", "tf"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--mb", type=int, default=256)
    args = ap.parse_args()
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    # A pool of lines, reused: generating every line afresh would make this script the slow part.
    pool = [code_line() for _ in range(20000)]
    total, n, tokens, urls = args.mb << 20, 0, 0, 0
    written = 0
    while written < total:
        size = rng.choice([2_000, 8_000, 30_000, 120_000, 600_000])
        lines, got = [], 0
        while got < size:
            line = rng.choice(pool)
            lines.append(line)
            got += len(line)
        if rng.random() < 0.02:  # one file in 50 carries a leak
            i = rng.randrange(len(lines) + 1)
            k = rng.randrange(len(LEAKS))
            lines.insert(i, LEAKS[k]())
            if k == 3:
                urls += 1
            else:
                tokens += 1
        path = root / f"d{n % 97:02d}" / f"{ident()}_{n}.{rng.choice(EXTENSIONS)}"
        path.parent.mkdir(exist_ok=True)
        data = "".join(lines).encode()
        path.write_bytes(data)
        written += len(data)
        n += 1
    print(f"{root}: {n} files, {written / 2**20:.0f} MiB, {tokens} planted Okta tokens, "
          f"{urls} planted URL secrets")


if __name__ == "__main__":
    main()
