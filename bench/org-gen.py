#!/usr/bin/env python3
"""Generates the synthetic organization that bench/org.sh scans: 200 git repositories of mixed
sizes, some broken, some sharing the same leaked (synthetic) Okta API token, and the list of
them, half as local paths and half as file:// URLs (so that the mirror path, `git clone
--mirror`, is exercised without a network).

Usage: bench/org-gen.py [ORG_DIR] [--force] [--no-verify] [--verify-only] [--jobs N]
  ORG_DIR  default: $ORG_DIR, else ~/.cache/tokenwarden-bench/org-bench

Writes, under ORG_DIR:
  repos/local/...    repositories listed by path (work trees, a few bare), and the broken ones
  repos/remote/*.git bare repositories listed as file:// URLs
  repos.txt          the list (`tokenwarden history --repos`), with a comment header
  manifest.json      what was generated: each repository (kind, listing, commits, refs) and
                     each planted token with every (repository, path) it was written to
  stamp.json         the parameters; a later run with the same ones reuses the directory

The repositories (seed fixed, commit dates fixed: the same commits on every machine):
  small   5-50 commits, 2-8 files          large   3000-5000 commits, 400-1200 files
  medium  200-1000 commits, 20-150 files   (+ side branches and tags on medium and large)
  broken  a directory that is not a repository, a path that does not exist, a repository
          with one blob deleted from .git/objects (objects written loose), an empty
          repository (git init, no commit; listed by URL), a file:// URL that does not exist
Histories are written with `git fast-import` (one process per repository, one stream).

Planted tokens (`00` + 40 of [A-Za-z0-9_-], random from the fixed seed, synthetic): one
shared by 8 repositories (cassettes, .env files, okta.yaml; 3 of them only in history), one
copied into 60 cassette files of one repository (and 2 others), one only in the history of 3
repositories, one only on a side branch, one in a commit message, 15 unique ones (6 removed
later, 2 of them from the first commits of a large repository), and one in the repository
with a deleted blob. Nothing here is a real secret; nothing generated is committed.

After generating, the repositories are checked against the manifest (--no-verify skips it):
commit counts, the broken ones, and every token-shaped string of every object of every
repository against the planted ones.
"""

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import re
import shutil
import string
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402  (bench/synth.py: the same code-like lines)
from pathlib import Path

GEN_VERSION = 1
SEED = 20261205
N_REPOS = 200
N_LARGE = 3
N_MEDIUM = 24
TOKEN_CHARS = string.ascii_letters + string.digits + "_-"
TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9_-])00[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])")
WORDS = ("user group app client token request response session config value result error "
         "status policy factor schedule render buffer handler context record account billing "
         "invoice ledger report search index cache queue worker event stream metric audit "
         "profile device network route gateway portal admin sync export import").split()
TEAMS = ["platform", "identity", "payments", "data", "mobile", "web", "infra", "security"]
EXTS = ["py", "go", "js", "ts", "rb", "java", "yaml", "md", "tf", "json", "sh", "txt"]
BASE_TIME = 1_600_000_000
PEOPLE = [("Ada Lovelace", "ada@acme.example"), ("Grace Hopper", "grace@acme.example"),
          ("Alan Turing", "alan@acme.example"), ("Edsger Dijkstra", "edsger@acme.example"),
          ("Barbara Liskov", "barbara@acme.example"), ("Ken Thompson", "ken@acme.example")]

BROKEN = ["not-a-repo", "missing-path", "missing-blob", "empty", "missing-url"]
BROKEN_LISTING = {"not-a-repo": "path", "missing-path": "path", "missing-blob": "path",
                  "empty": "url", "missing-url": "url"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def make_token(rng):
    while True:
        body = "".join(rng.choice(TOKEN_CHARS) for _ in range(40))
        if (any(c.isdigit() for c in body) and any(c.isupper() for c in body)
                and any(c.islower() for c in body)):
            return "00" + body


# ------------------------------------------------------------------------------ planning

def plan(org_dir):
    """Every repository and every token plant, decided up front from one seeded rng (the
    contents are then generated per repository from a seed of their own)."""
    rng = random.Random(SEED)
    names, used = [], set()
    while len(names) < N_REPOS:
        n = f"{rng.choice(TEAMS)}-{rng.choice(WORDS)}-{rng.choice(WORDS)}"
        if n not in used and len(set(n.split("-"))) == 3:
            used.add(n)
            names.append(n)
    idx = list(range(N_REPOS))
    rng.shuffle(idx)
    broken_idx = idx[:len(BROKEN)]
    large_idx = idx[len(BROKEN):len(BROKEN) + N_LARGE]
    medium_idx = idx[len(BROKEN) + N_LARGE:len(BROKEN) + N_LARGE + N_MEDIUM]
    repos = []
    for i in range(N_REPOS):
        kind = ("broken" if i in broken_idx else "large" if i in large_idx
                else "medium" if i in medium_idx else "small")
        repos.append({"index": i, "label": names[i], "kind": kind, "broken": None,
                      "plants": []})
    for b, i in zip(BROKEN, broken_idx):
        repos[i]["broken"] = b
        repos[i]["listed"] = BROKEN_LISTING[b]
    # Half by path, half by URL: the broken ones first, then alternate (large ones: 2 by URL).
    counts = {"path": sum(1 for r in repos if r.get("listed") == "path"),
              "url": sum(1 for r in repos if r.get("listed") == "url")}
    for r in sorted((r for r in repos if r["kind"] != "broken"),
                    key=lambda r: ({"large": 0, "medium": 1, "small": 2}[r["kind"]], r["index"])):
        want = "url" if counts["url"] <= counts["path"] else "path"
        r["listed"] = want
        counts[want] += 1
    nlocal = 0
    for r in repos:
        if r["listed"] == "path":
            nlocal += 1
            r["bare"] = r["kind"] != "broken" and nlocal % 4 == 0
            r["dir"] = f"repos/local/{r['label']}" + (".git" if r["bare"] else "")
        else:
            r["bare"] = True
            r["dir"] = f"repos/remote/{r['label']}.git"
        absdir = os.path.join(org_dir, r["dir"])
        if r["listed"] == "path":
            r["name"] = absdir
        else:
            r["name"] = "file://" + urllib.parse.quote(absdir)

    # ---- tokens
    tokens = []

    def new_token(tid, story):
        t = {"id": tid, "token": make_token(rng), "story": story, "locations": []}
        tokens.append(t)
        return t

    healthy = [r for r in repos if r["kind"] != "broken"]
    small = [r for r in healthy if r["kind"] == "small"]
    medium = [r for r in healthy if r["kind"] == "medium"]
    large = [r for r in healthy if r["kind"] == "large"]
    taken = set()

    def pick(pool, k):
        free = [r for r in pool if r["index"] not in taken]
        out = rng.sample(free, k)
        taken.update(r["index"] for r in out)
        return out

    def plant(repo, tok, form, mode, count=1):
        repo["plants"].append({"token_id": tok["id"], "token": tok["token"], "form": form,
                               "mode": mode, "count": count})

    forms = ["cassette", "env", "cassette-inline", "okta-yaml"]
    # T00: one token shared by 8 repositories, in different files; 3 only in history.
    t = new_token("T00", "shared by 8 repositories (cassettes, .env, okta.yaml); 3 only in history")
    shared = pick(small, 4) + pick(medium, 2) + [large[0]] + pick(small, 1)
    for k, r in enumerate(shared):
        plant(r, t, forms[k % len(forms)], "history" if k in (1, 4, 7) else "head")
    # T01: one token in 60 cassette files of one repository, and in 2 others.
    t = new_token("T01", "60 cassette files of one repository, and 2 other repositories")
    fixtures = pick(medium, 1)[0]
    fixtures["label_note"] = "60 cassettes"
    plant(fixtures, t, "cassette", "head", count=60)
    others = pick(small, 2)
    plant(others[0], t, "env", "head")
    plant(others[1], t, "cassette", "history")
    # T02: rotated: only in the history of 3 repositories.
    t = new_token("T02", "only in history, 3 repositories")
    for r, f in zip(pick(small, 2) + [large[1]], ["env", "okta-yaml", "cassette-inline"]):
        plant(r, t, f, "history")
    # T03: only on a side branch.
    t = new_token("T03", "only on a side branch")
    plant(pick([r for r in medium], 1)[0], t, "env", "branch")
    # T04: in a commit message.
    t = new_token("T04", "in a commit message")
    plant(pick(medium, 1)[0], t, "message", "message")
    # T05..T19: unique tokens; the large repositories get one each (T05-T07), first ones
    # in their first commits and removed (deep history), then at HEAD.
    for k in range(15):
        tid = f"T{5 + k:02d}"
        if k < 3:
            r = large[k]
            mode = "deep-history" if k != 2 else "head"
        else:
            r = pick(small if k % 3 else medium, 1)[0]
            mode = "history" if k in (4, 7, 10, 13) else "head"
        t = new_token(tid, "unique")
        plant(r, t, forms[k % len(forms)], mode)
    # T20: in the repository with a missing blob, in a file whose blobs are all present.
    t = new_token("T20", "in the repository with a deleted blob (other blobs intact)")
    mb = next(r for r in repos if r["broken"] == "missing-blob")
    plant(mb, t, "env", "head")
    return repos, tokens


# ------------------------------------------------------------------------------ contents

class Content:
    """Code-like lines from a pool (generating each line afresh is the slow part)."""

    def __init__(self, rng, pool_size):
        self.rng = rng
        self.pool = [self.line() for _ in range(pool_size)]

    def ident(self):
        return synth.ident(self.rng, WORDS)

    def line(self):
        return synth.code_line(self.rng, WORDS, "api.acme.example", blank_lines=True)

    def lines(self, n):
        return [self.rng.choice(self.pool) for _ in range(n)]

    def edit(self, lines):
        """A small change: replace, insert or delete a few lines."""
        rng = self.rng
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            if op < 0.5 and lines:
                lines[rng.randrange(len(lines))] = rng.choice(self.pool)
            elif op < 0.85 or len(lines) < 5:
                i = rng.randrange(len(lines) + 1)
                lines[i:i] = self.lines(rng.randint(1, 6))
            else:
                i = rng.randrange(len(lines))
                del lines[i:i + rng.randint(1, 3)]


def cassette(rng, token, n):
    """A go-vcr v2 cassette with the token in the Authorization header of each request."""
    out = ["---\nversion: 2\ninteractions:\n"]
    for i in range(n):
        res = rng.choice(["users", "groups", "apps", "authorizationServers", "policies"])
        ident = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(20))
        out.append(
            f"    - id: {i}\n"
            "      request:\n"
            "        proto: HTTP/1.1\n"
            "        proto_major: 1\n"
            "        proto_minor: 1\n"
            "        content_length: 0\n"
            "        host: acme.okta.com\n"
            "        headers:\n"
            "            Accept:\n"
            "                - application/json\n"
            "            Authorization:\n"
            f"                - SSWS {token}\n"
            f"        url: https://acme.okta.com/api/v1/{res}/{ident}\n"
            "        method: GET\n"
            "      response:\n"
            '        body: \'{"id":"' + ident + '","status":"ACTIVE"}\'\n'
            "        code: 200\n"
            f"        duration: {rng.randrange(50, 900)}ms\n")
    return "".join(out)


def plant_file(rng, form, token, used):
    """(path, content with the token, content without it) for one plant."""
    w = lambda: rng.choice(WORDS)  # noqa: E731
    while True:
        if form == "cassette":
            path = f"fixtures/cassettes/Test{w().title()}{w().title()}_{rng.randrange(1000)}.yaml"
        elif form == "cassette-inline":
            path = f"testdata/http/{w()}_{w()}_{rng.randrange(100)}.http"
        elif form == "env":
            path = rng.choice([".env", "deploy/.env.production", "scripts/.env.local",
                               f"services/{w()}/.env"])
        else:
            path = rng.choice(["okta.yaml", "config/okta.yaml", f"deploy/{w()}/okta.yaml"])
        if path not in used:
            used.add(path)
            break
    if form == "cassette":
        with_t = cassette(rng, token, rng.randint(1, 4))
        without = with_t.replace(f"SSWS {token}", "SSWS REDACTED")
    elif form == "cassette-inline":
        head = (f"GET /api/v1/{w()}s?limit=200 HTTP/1.1\nHost: acme.okta.com\n"
                "Accept: application/json\n")
        with_t = head + f"Authorization: SSWS {token}\n\n"
        without = head + "Authorization: SSWS {{okta_api_token}}\n\n"
    elif form == "env":
        pre = f"LOG_LEVEL=info\nOKTA_ORG_URL=https://acme.okta.com\nPORT={rng.randrange(3000, 9000)}\n"
        with_t = pre + f"OKTA_API_TOKEN={token}\n"
        without = pre + "OKTA_API_TOKEN=\n"
    else:
        pre = "okta:\n  client:\n    orgUrl: https://acme.okta.com\n"
        with_t = pre + f"    token: {token}\n"
        without = pre + "    token: ${OKTA_API_TOKEN}\n"
    return path, with_t, without


# ------------------------------------------------------------------------------ fast-import

class Stream:
    def __init__(self, proc):
        self.proc, self.buf, self.size = proc, [], 0

    def data(self, b):
        self.raw(b"data %d\n" % len(b) + b + b"\n")

    def raw(self, b):
        self.buf.append(b)
        self.size += len(b)
        if self.size > 1 << 20:
            self.flush()

    def flush(self):
        self.proc.stdin.write(b"".join(self.buf))
        self.buf, self.size = [], 0


SIZES = {  # commits, files at the end, lines per file, files touched per commit
    "small": ((5, 50), (2, 8), (10, 80), (1, 2)),
    "medium": ((200, 1000), (20, 150), (20, 200), (1, 4)),
    "large": ((3000, 5000), (400, 1200), (20, 250), (1, 6)),
}


def git(*args, cwd=None, env=None, check=True, capture=True):
    r = subprocess.run(["git", *args], cwd=cwd, env=env, check=False,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout.decode(errors="replace") if capture else ""


def build_history(org_dir, repo):
    """A healthy repository, written with one git fast-import stream."""
    rng = random.Random(f"{SEED}:{repo['index']}")
    content = Content(rng, {"small": 300, "medium": 2000, "large": 6000}[repo["kind"]])
    (c_lo, c_hi), (f_lo, f_hi), (l_lo, l_hi), (t_lo, t_hi) = SIZES[repo["kind"]]
    n_commits = rng.randint(c_lo, c_hi)
    n_files = rng.randint(f_lo, f_hi)
    path = Path(org_dir, repo["dir"])
    path.parent.mkdir(parents=True, exist_ok=True)
    init = ["init", "-q", "-b", "main"] + (["--bare"] if repo["bare"] else []) + [str(path)]
    git(*init)
    gitdir = path if repo["bare"] else path / ".git"
    proc = subprocess.Popen(["git", f"--git-dir={gitdir}", "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE)
    s = Stream(proc)
    files = {}       # path -> lines (the churning files of main)
    used = set()

    def new_path():
        while True:
            d = rng.choice(["src", "lib", "internal", "cmd", "docs", "tests", "pkg"])
            sub = f"{d}/{rng.choice(WORDS)}" if repo["kind"] != "small" else d
            p = f"{sub}/{content.ident()}.{rng.choice(EXTS)}"
            if p not in used:
                used.add(p)
                return p

    # When each plant goes in and comes out, by main commit index.
    adds, removes, messages, branch_plants = {}, {}, {}, []
    for p in repo["plants"]:
        if p["mode"] == "branch":
            branch_plants.append(p)
            continue
        if p["mode"] == "message":
            c = rng.randrange(1, n_commits)
            messages[c] = p
            p["files"] = [{"path": "<commit message>", "at_head": False}]
            continue
        if p["mode"] == "deep-history":
            c_add = rng.randrange(0, 3)
            c_rm = rng.randrange(n_commits // 10, n_commits // 3)
        elif p["mode"] == "history":
            c_add = rng.randrange(0, max(1, n_commits - 2))
            c_rm = rng.randrange(c_add + 1, n_commits)
        else:
            c_add, c_rm = rng.randrange(0, n_commits), None
        p["files"] = []
        for j in range(p["count"]):
            fpath, with_t, without = plant_file(rng, p["form"], p["token"], used)
            # 60 cassettes: 10 a commit from c_add on
            ca = min(c_add + j // 10, n_commits - 1)
            adds.setdefault(ca, []).append((fpath, with_t))
            if c_rm is not None:
                rm = max(c_rm, ca + 1)
                assert rm < n_commits, (repo["label"], p["token_id"])
                removes.setdefault(rm, []).append(
                    (fpath, None if rng.random() < 0.5 else without))
            p["files"].append({"path": fpath, "at_head": c_rm is None})

    initial = max(1, n_files if repo["kind"] == "small" else n_files * 3 // 10)
    to_add = n_files - initial
    marks = []
    for c in range(n_commits):
        who = rng.choice(PEOPLE)
        when = BASE_TIME + repo["index"] * 86_400 + c * 1_800 + rng.randrange(900)
        ops = []
        if c == 0:
            for _ in range(initial):
                p = new_path()
                files[p] = content.lines(rng.randint(l_lo, l_hi))
                ops.append(("M", p))
            msg = "Initial commit\n"
        else:
            for _ in range(rng.randint(t_lo, t_hi)):
                p = rng.choice(list(files))
                content.edit(files[p])
                ops.append(("M", p))
            if to_add > 0 and rng.random() < max(0.05, 1.5 * to_add / (n_commits - c)):
                for _ in range(min(to_add, rng.randint(1, 5))):
                    p = new_path()
                    files[p] = content.lines(rng.randint(l_lo, l_hi))
                    ops.append(("M", p))
                    to_add -= 1
            if len(files) > 3 and rng.random() < 0.02:
                p = rng.choice(list(files))
                if all(o[1] != p for o in ops):
                    del files[p]
                    ops.append(("D", p))
            msg = f"{rng.choice(WORDS)}: {' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))}\n"
        if c in messages:
            msg = (f"fix deploy script\n\nwas failing with 401; new token "
                   f"{messages[c]['token']}\n")
        mark = c + 1
        s.raw(b"commit refs/heads/main\nmark :%d\n" % mark)
        ident = f"{who[0]} <{who[1]}> {when} +0000\n".encode()
        s.raw(b"author " + ident + b"committer " + ident)
        s.data(msg.encode())
        for op, p in ops:
            if op == "M":
                s.raw(f"M 100644 inline {p}\n".encode())
                s.data("".join(files[p]).encode())
            else:
                s.raw(f"D {p}\n".encode())
        for fpath, body in adds.get(c, []):
            s.raw(f"M 100644 inline {fpath}\n".encode())
            s.data(body.encode())
        for fpath, body in removes.get(c, []):
            if body is None:
                s.raw(f"D {fpath}\n".encode())
            else:
                s.raw(f"M 100644 inline {fpath}\n".encode())
                s.data(body.encode())
        s.raw(b"\n")
        marks.append(mark)

    branches, tags = ["main"], []
    if repo["kind"] != "small" or branch_plants:
        n_br = rng.randint(1, 3) if repo["kind"] != "small" else 1
        for b in range(n_br):
            name = f"feature/{rng.choice(WORDS)}-{b}"
            base = rng.choice(marks[len(marks) // 2:])
            for k in range(rng.randint(2, 20)):
                when = BASE_TIME + repo["index"] * 86_400 + n_commits * 1_800 + b * 90_000 + k * 600
                who = rng.choice(PEOPLE)
                s.raw(f"commit refs/heads/{name}\n".encode())
                ident = f"{who[0]} <{who[1]}> {when} +0000\n".encode()
                s.raw(b"author " + ident + b"committer " + ident)
                s.data(f"wip: {rng.choice(WORDS)} {rng.choice(WORDS)}\n".encode())
                if k == 0:
                    s.raw(b"from :%d\n" % base)
                p = f"experiments/{name.split('/')[1]}/{content.ident()}.py"
                s.raw(f"M 100644 inline {p}\n".encode())
                s.data("".join(content.lines(rng.randint(10, 80))).encode())
                if b == 0 and k == 1:
                    for bp in branch_plants:
                        fpath, with_t, _ = plant_file(rng, bp["form"], bp["token"], used)
                        s.raw(f"M 100644 inline {fpath}\n".encode())
                        s.data(with_t.encode())
                        bp["files"] = [{"path": fpath, "at_head": False, "branch": name}]
                s.raw(b"\n")
            branches.append(name)
        for k in range(rng.randint(1, 6) if repo["kind"] != "small" else 0):
            tag = f"v1.{k}.0"
            m = marks[min(len(marks) - 1, (k + 1) * len(marks) // 7)]
            if k % 2:
                s.raw(f"tag {tag}\nfrom :{m}\n".encode())
                ident = f"Release Bot <release@acme.example> {BASE_TIME + m * 1_800} +0000\n"
                s.raw(b"tagger " + ident.encode())
                s.data(f"Release {tag}\n".encode())
            else:
                s.raw(f"reset refs/tags/{tag}\nfrom :{m}\n\n".encode())
            tags.append(tag)
    assert not branch_plants or all("files" in bp for bp in branch_plants)
    s.raw(b"done\n")
    s.flush()
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError(f"git fast-import failed for {repo['dir']}")
    if not repo["bare"]:
        git("-C", str(path), "reset", "-q", "--hard")
    branch_commits = int(git(f"--git-dir={gitdir}", "rev-list", "--all", "--count").strip())
    repo.update(commits=branch_commits, main_commits=n_commits, files_at_head=len(files) + sum(
        1 for ps in repo["plants"] for f in ps.get("files", []) if f["at_head"]),
        branches=branches, tags=tags)
    return repo


def build_missing_blob(org_dir, repo):
    """Loose objects (git add/commit with core.compression=0), then one blob of an older
    version of a file deleted from .git/objects."""
    rng = random.Random(f"{SEED}:{repo['index']}")
    content = Content(rng, 200)
    path = Path(org_dir, repo["dir"])
    git("init", "-q", "-b", "main", str(path))
    cfg = ["-c", "core.compression=0", "-c", "core.looseCompression=0", "-c", "gc.auto=0",
           "-c", "user.name=Ada Lovelace", "-c", "user.email=ada@acme.example",
           "-c", "commit.gpgSign=false", "-c", "core.hooksPath=/dev/null"]
    (path / "src").mkdir()
    plant = repo["plants"][0]
    history = []
    for c in range(6):
        when = f"{BASE_TIME + repo['index'] * 86_400 + c * 1_800} +0000"
        env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
        (path / "src/sync.py").write_text("".join(content.lines(rng.randint(20, 60))))
        (path / "README.md").write_text(f"# {repo['label']}\n\nrevision {c}\n")
        if c == 2:
            fpath, with_t, _ = plant_file(rng, plant["form"], plant["token"], set())
            (path / fpath).parent.mkdir(parents=True, exist_ok=True)
            (path / fpath).write_text(with_t)
            plant["files"] = [{"path": fpath, "at_head": True}]
        git(*cfg, "add", "-A", cwd=path)
        git(*cfg, "commit", "-q", "-m", f"sync: revision {c}", cwd=path, env=env)
        history.append(git("rev-parse", "HEAD", cwd=path).strip())
    # The blob of src/sync.py at the third commit: changed since, so not in HEAD's tree.
    blob = git("rev-parse", f"{history[2]}:src/sync.py", cwd=path).strip()
    loose = path / ".git/objects" / blob[:2] / blob[2:]
    if not loose.is_file():
        raise RuntimeError(f"{loose} is not a loose object")
    loose.unlink()
    repo.update(commits=len(history), main_commits=len(history), files_at_head=3,
                branches=["main"], tags=[], missing_blob=blob,
                missing_blob_path="src/sync.py", missing_blob_commit=history[2])
    return repo


def build(args):
    org_dir, repo = args
    t0 = time.monotonic()
    b = repo["broken"]
    if b is None:
        build_history(org_dir, repo)
    elif b == "not-a-repo":
        d = Path(org_dir, repo["dir"])
        (d / "notes").mkdir(parents=True)
        (d / "README.md").write_text("Meeting notes, not under version control.\n")
        (d / "notes/2024-q1.md").write_text("- rotate the okta tokens\n- move CI to OIDC\n")
        repo.update(commits=0, branches=[], tags=[])
    elif b in ("missing-path", "missing-url"):
        repo.update(commits=0, branches=[], tags=[])   # nothing written: it does not exist
    elif b == "missing-blob":
        build_missing_blob(org_dir, repo)
    elif b == "empty":
        git("init", "-q", "--bare", "-b", "main", str(Path(org_dir, repo["dir"])))
        repo.update(commits=0, branches=[], tags=[])
    repo["seconds"] = round(time.monotonic() - t0, 2)
    return repo


# ------------------------------------------------------------------------------ verification

def verify(org_dir, manifest):
    """Checks the repositories on disk against the manifest; returns a list of problems."""
    problems = []
    tok_of = {t["token"]: t["id"] for t in manifest["tokens"]}
    for r in manifest["repos"]:
        d = Path(org_dir, r["dir"])
        b = r["broken"]
        if b in ("missing-path", "missing-url"):
            if d.exists():
                problems.append(f"{r['label']}: should not exist")
            continue
        if b == "not-a-repo":
            # No ceiling: inside some other work tree it would not be "not a repository".
            rc = subprocess.run(["git", "-C", str(d), "rev-parse", "--git-dir"],
                                capture_output=True)
            if rc.returncode == 0 or not d.is_dir():
                problems.append(f"{r['label']}: should be a directory outside any repository")
            continue
        gd = d if r["bare"] else d / ".git"
        g = [f"--git-dir={gd}"]
        if b == "empty":
            if git(*g, "for-each-ref").strip():
                problems.append(f"{r['label']}: empty repository has refs")
            continue
        n = int(git(*g, "rev-list", "--all", "--count").strip())
        if n != r["commits"]:
            problems.append(f"{r['label']}: {n} commits, manifest says {r['commits']}")
        if b == "missing-blob":
            fsck = subprocess.run(["git", *g, "fsck", "--full"], capture_output=True, text=True)
            if r["missing_blob"] not in fsck.stdout + fsck.stderr:
                problems.append(f"{r['label']}: fsck does not report the deleted blob")
        # Every token-shaped string in every object (blobs and commit messages).
        found = {}
        cat = subprocess.Popen(["git", *g, "cat-file", "--batch-all-objects", "--batch"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        data = cat.stdout.read()
        cat.wait()
        for m in TOKEN_RE.finditer(data):
            found.setdefault(m.group().decode(), 0)
            found[m.group().decode()] += 1
        planted = {p["token"] for p in r["plants"]}
        for t in set(found) - planted:
            problems.append(f"{r['label']}: unplanned token-shaped string {t[:6]}…")
        for t in planted - set(found):
            problems.append(f"{r['label']}: planted token {tok_of[t]} not in any object")
        head = git(*g, "rev-parse", "HEAD").strip()
        for p in r["plants"]:
            for f in p["files"]:
                if f["path"] == "<commit message>":
                    hits = git(*g, "log", "--all", "--format=%H", "-F", f"--grep={p['token']}")
                    if not hits.strip():
                        problems.append(f"{r['label']}: {p['token_id']} not in a commit message")
                    continue
                at_head = subprocess.run(["git", *g, "show", f"{head}:{f['path']}"],
                                         capture_output=True, text=True)
                has = at_head.returncode == 0 and p["token"] in at_head.stdout
                if has != f["at_head"]:
                    problems.append(f"{r['label']}: {p['token_id']} in {f['path']} at HEAD: {has}, "
                                    f"expected {f['at_head']}")
                if "branch" in f:
                    tip = subprocess.run(["git", *g, "show", f"refs/heads/{f['branch']}:{f['path']}"],
                                         capture_output=True, text=True)
                    if p["token"] not in tip.stdout:
                        problems.append(f"{r['label']}: {p['token_id']} not on {f['branch']}")
                added = git(*g, "log", "--all", "--format=%H", "-S", p["token"], "--", f["path"])
                if not added.strip():
                    problems.append(f"{r['label']}: {p['token_id']} never added in {f['path']}")
    # Tokens shared as planned
    for t in manifest["tokens"]:
        repos = {loc["repository"] for loc in t["locations"]}
        if len(t["locations"]) == 0:
            problems.append(f"{t['id']}: no location")
        t["repositories"] = len(repos)
    return problems


def summary(manifest):
    repos = manifest["repos"]
    kinds = {}
    for r in repos:
        k = r["broken"] and f"broken ({r['broken']})" or r["kind"]
        kinds[k] = kinds.get(k, 0) + 1
    lines = [f"{len(repos)} repositories: " + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())),
             f"listed: {sum(r['listed'] == 'path' for r in repos)} by path "
             f"({sum(r['listed'] == 'path' and r['bare'] for r in repos)} bare), "
             f"{sum(r['listed'] == 'url' for r in repos)} by file:// URL",
             f"commits: {sum(r.get('commits', 0) for r in repos):,} "
             f"(small {sum(r.get('commits', 0) for r in repos if r['kind'] == 'small'):,}, "
             f"medium {sum(r.get('commits', 0) for r in repos if r['kind'] == 'medium'):,}, "
             f"large {sum(r.get('commits', 0) for r in repos if r['kind'] == 'large'):,})",
             "tokens:"]
    for t in manifest["tokens"]:
        reps = {loc["repository"] for loc in t["locations"]}
        heads = sum(loc["at_head"] for loc in t["locations"])
        lines.append(f"  {t['id']} {t['token'][:6]}… {len(t['locations'])} locations in "
                     f"{len(reps)} repositories ({heads} at HEAD): {t['story']}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("org_dir", nargs="?",
                    default=os.environ.get("ORG_DIR") or os.path.join(
                        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                        "tokenwarden-bench", "org-bench"))
    ap.add_argument("--force", action="store_true", help="regenerate even if up to date")
    ap.add_argument("--no-verify", action="store_true")
    ap.add_argument("--verify-only", action="store_true")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    org_dir = os.path.abspath(args.org_dir)
    if any(c.isspace() for c in org_dir):
        sys.exit(f"org-gen: ORG_DIR must not contain white space: {org_dir}")
    stamp_path = Path(org_dir, "stamp.json")
    marker = Path(org_dir, ".org-gen")
    script = Path(__file__).read_bytes()
    stamp = {"generator": "bench/org-gen.py", "version": GEN_VERSION, "seed": SEED,
             "repos": N_REPOS, "large": N_LARGE, "medium": N_MEDIUM, "org_dir": org_dir,
             "script_sha256": hashlib.sha256(script).hexdigest()}

    if args.verify_only:
        manifest = json.loads(Path(org_dir, "manifest.json").read_text())
        problems = verify(org_dir, manifest)
        print(summary(manifest))
        for p in problems:
            print(f"PROBLEM: {p}")
        print("verify: OK" if not problems else f"verify: {len(problems)} problems")
        sys.exit(1 if problems else 0)

    if not args.force and stamp_path.is_file():
        try:
            old = json.loads(stamp_path.read_text())
        except ValueError:
            old = None
        if old == stamp:
            log(f"org-gen: {org_dir} is up to date (stamp.json); reusing it")
            return
    if Path(org_dir).exists() and any(Path(org_dir).iterdir()) and not marker.exists():
        sys.exit(f"org-gen: {org_dir} is not empty and was not made by org-gen.py; choose another ORG_DIR")
    # Ours (marker present): remove what an earlier generation wrote, nothing else.
    for name in ("repos", "repos.txt", "manifest.json", "stamp.json"):
        p = Path(org_dir, name)
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    Path(org_dir).mkdir(parents=True, exist_ok=True)
    marker.write_text("made by bench/org-gen.py\n")

    t0 = time.monotonic()
    repos, tokens = plan(org_dir)
    # The largest first, so that the pool's workers finish together.
    order = sorted(repos, key=lambda r: {"large": 0, "medium": 1}.get(r["kind"], 2))
    done = []
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        for r in pool.imap_unordered(build, [(org_dir, r) for r in order]):
            done.append(r)
            if r["kind"] in ("large", "medium") or r["broken"]:
                log(f"  {r['kind']:6} {r['label']:32} {r.get('commits', 0):5} commits "
                    f"{r['seconds']:6.2f} s" + (f"  [{r['broken']}]" if r["broken"] else ""))
    repos = sorted(done, key=lambda r: r["index"])
    for t in tokens:
        for r in repos:
            for p in r["plants"]:
                if p["token_id"] == t["id"]:
                    for f in p["files"]:
                        t["locations"].append({"repository": r["name"], "label": r["label"],
                                               "path": f["path"], "at_head": f["at_head"],
                                               "form": p["form"], "mode": p["mode"]})
    manifest = {"stamp": stamp, "repos": repos, "tokens": tokens,
                "generated_in_seconds": round(time.monotonic() - t0, 1)}

    # The list: shuffled, with team comments and blank lines (the parser must skip them).
    rng = random.Random(SEED + 1)
    listed = list(repos)
    rng.shuffle(listed)
    out = ["# Synthetic organization for bench/org.sh, written by bench/org-gen.py",
           f"# (version {GEN_VERSION}, seed {SEED}). Every token in these repositories is synthetic.",
           f"# {len(repos)} repositories: {sum(r['listed'] == 'path' for r in repos)} local paths, "
           f"{sum(r['listed'] == 'url' for r in repos)} file:// URLs (mirrored with git clone --mirror);",
           f"# {N_LARGE} large, {N_MEDIUM} medium, {N_REPOS - N_LARGE - N_MEDIUM - len(BROKEN)} small, "
           f"{len(BROKEN)} broken ({', '.join(BROKEN)}).",
           "# See manifest.json for what each one holds.", ""]
    for k, r in enumerate(listed):
        if k % 25 == 0:
            out += ["", f"# batch {k // 25 + 1}"]
        out.append(r["name"])
    Path(org_dir, "repos.txt").write_text("\n".join(out) + "\n")
    Path(org_dir, "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"org-gen: generated in {time.monotonic() - t0:.1f} s")
    print(summary(manifest))
    if not args.no_verify:
        t1 = time.monotonic()
        problems = verify(org_dir, manifest)
        for p in problems:
            print(f"PROBLEM: {p}")
        log(f"org-gen: verified in {time.monotonic() - t1:.1f} s")
        if problems:
            sys.exit(f"org-gen: {len(problems)} problems; {org_dir} left without stamp.json")
        print("verify: OK")
    stamp_path.write_text(json.dumps(stamp, indent=1) + "\n")


if __name__ == "__main__":
    main()
