#!/usr/bin/env bash
# Pre-commit benchmark: `tokenwarden staged` (what the pre-commit hook runs) against
# `git diff --cached --quiet` (the least any hook does: compare the index with HEAD), in
# a repository of git/git's HEAD tree (~4,600 files, one commit, packed) with one small
# new file staged. Both are millisecond commands, so hyperfine runs them without a shell
# (-N) and the table gives the minimum and the mean ± σ.
#
# Usage: bench/staged.sh
#
# Environment (and those of bench/lib.sh: TOKENWARDEN, BENCH_TOOLS, NO_INSTALL, QUIET_WAIT):
#   STAGED_REPO=$CACHE/staged-repo  the benchmark repository: built once from
#                 GIT_HEAD (cp -r, git init, git add -A, commit, git gc), then reused
#   GIT_HEAD=$CACHE/git-head        a checkout (or `git archive` export) of git/git's
#                 HEAD, see bench/README.md
#   REBUILD=1     build STAGED_REPO again
#   WARMUP=5
#   RUNS=         empty: hyperfine decides (at least 10 runs and 3 s per command)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STAGED_REPO="${STAGED_REPO:-$CACHE/staged-repo}"
GIT_HEAD="${GIT_HEAD:-$CACHE/git-head}"
REBUILD="${REBUILD:-0}"
WARMUP="${WARMUP:-5}"
RUNS="${RUNS:-}"
NEW_FILE="bench-staged-note.md"

require_tokenwarden
ensure_basics

# ---------------------------------------------------------------- the repository (once)

repo_ok() {
  [[ "$(git -C "$STAGED_REPO" config --get tokenwarden.bench 2>/dev/null)" == staged ]] \
    && git -C "$STAGED_REPO" rev-parse -q --verify HEAD >/dev/null 2>&1
}
if [[ "$REBUILD" == 1 ]] || ! repo_ok; then
  [[ -d "$GIT_HEAD" ]] || die "not found: $GIT_HEAD, a checkout of git/git's HEAD (see bench/README.md)"
  tmp="$STAGED_REPO.tmp.$$"
  log "building $STAGED_REPO from $GIT_HEAD"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$STAGED_REPO")"
  cp -r "$GIT_HEAD" "$tmp"
  rm -rf "$tmp/.git"
  git -C "$tmp" init -q
  git -C "$tmp" add -A
  git -C "$tmp" -c user.name=bench -c user.email=bench@example.invalid commit -q -m "git/git HEAD tree"
  git -C "$tmp" gc -q
  git -C "$tmp" config tokenwarden.bench staged
  rm -rf "$STAGED_REPO"
  mv "$tmp" "$STAGED_REPO"
fi
STAGED_REPO="$(cd "$STAGED_REPO" && pwd)"

# ---------------------------------------------------------------- one new file staged

unstage() { git -C "$STAGED_REPO" reset -q; rm -f "$STAGED_REPO/$NEW_FILE"; }
unstage
cat >"$STAGED_REPO/$NEW_FILE" <<'EOF'
# Release checklist

1. Update the version in `GIT-VERSION-GEN` and the release notes.
2. Run `make test` on Linux and macOS; fix every failure.
3. Tag the release: `git tag -s v2.x.y -m "Git 2.x.y"`.
4. Build the documentation (`make doc`) and check the man pages.
5. Announce on the mailing list with the shortlog since the last release.

Contact the maintainer before pushing a tag; the CI token is rotated every 90 days and
lives in the secret store, never in this repository.
EOF
git -C "$STAGED_REPO" add "$NEW_FILE"
staged="$(git -C "$STAGED_REPO" diff --cached --name-status)"
[[ "$staged" == "A	$NEW_FILE" ]] || die "unexpected staged changes in $STAGED_REPO: $staged"
nfiles="$(git -C "$STAGED_REPO" ls-tree -r HEAD | wc -l)"
nbytes="$(wc -c <"$STAGED_REPO/$NEW_FILE")"

# ---------------------------------------------------------------- timing

R="$(q "$STAGED_REPO")"
tokenwarden_version
CMD[tokenwarden]="$(q "$TOKENWARDEN") staged --repo $R"
OKCODES[tokenwarden]="0"           # nothing secret is staged
CMD[git-diff]="git -C $R diff --cached --quiet"
OKCODES[git-diff]="1"              # 1 = the index differs from HEAD
VERSION[git-diff]="$(git --version) (diff --cached)"
TOOLS="tokenwarden git-diff"

"$TOKENWARDEN" staged --repo "$STAGED_REPO" >/dev/null 2>&1 \
  || die "tokenwarden staged failed (or found something) in $STAGED_REPO"
log "repository: $STAGED_REPO ($nfiles files in HEAD; staged: $NEW_FILE, $nbytes bytes)"
# shellcheck disable=SC2086
bench_all "$RUNS" "$WARMUP" none $TOOLS
unstage

# shellcheck disable=SC2086
{
  echo
  echo "Staged check: $STAGED_REPO ($nfiles files in HEAD, one new file of $nbytes bytes staged), warm cache, hyperfine -N (no shell), $WARMUP warm-up runs, then ${NRUNS[tokenwarden]} runs of tokenwarden and ${NRUNS[git-diff]} of git diff."
  print_machine_line
  echo
  TABLE_REFS="git-diff" TABLE_MEAN=1 TABLE_UNIT=ms print_table $TOOLS
  echo
  print_binaries $TOOLS
}
