#!/usr/bin/env bash
# Builds the benchmark corpora under CACHE (default ~/.cache/tokenwarden-bench/corpora, as bench/lib.sh), outside this repository:
#   terraform-provider-okta.git, git.git   mirror clones (history benchmarks)
#   git-head, scan-corpus                  git/git's HEAD tree, and 8 copies of it (scan)
#   odd.git                                terraform-provider-okta as real repositories also
#                                          are: objects through alternates, a refs/replace/*
#                                          ref and an info/grafts file (history must scan
#                                          objects as stored and read through alternates)
# Existing corpora are kept. Sources default to GitHub; SOURCE_TPO and SOURCE_GIT name
# local clones instead (e.g. a `fetch`ed mirror).
set -euo pipefail

CACHE="${CACHE:-${BENCH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenwarden-bench}/corpora}"
SOURCE_TPO="${SOURCE_TPO:-https://github.com/okta/terraform-provider-okta.git}"
SOURCE_GIT="${SOURCE_GIT:-https://github.com/git/git.git}"
mkdir -p "$CACHE"
cd "$CACHE"

[[ -d terraform-provider-okta.git ]] || git clone --quiet --mirror "$SOURCE_TPO" terraform-provider-okta.git
[[ -d git.git ]] || git clone --quiet --mirror "$SOURCE_GIT" git.git
if [[ ! -d git-head ]]; then
  mkdir git-head.tmp && git --git-dir=git.git archive HEAD | tar -x -C git-head.tmp && mv git-head.tmp git-head
fi
if [[ ! -d scan-corpus ]]; then
  mkdir scan-corpus.tmp
  for i in 1 2 3 4 5 6 7 8; do cp -a git-head "scan-corpus.tmp/copy$i"; done
  mv scan-corpus.tmp scan-corpus
fi
if [[ ! -d odd.git ]]; then
  # --shared: no objects of its own, only objects/info/alternates naming the mirror's.
  git clone --quiet --bare --shared terraform-provider-okta.git odd.git.tmp
  g=(git --git-dir=odd.git.tmp)
  head="$("${g[@]}" rev-parse HEAD)"
  old="$("${g[@]}" rev-parse HEAD~10)"
  grafted="$("${g[@]}" rev-parse HEAD~20)"
  # A replacement commit: HEAD~10's tree under another message, with no parents.
  new="$("${g[@]}" -c user.name=bench -c user.email=bench@example.invalid \
    commit-tree -m "replacement of $old" "$old^{tree}")"
  "${g[@]}" replace "$old" "$new"
  # A graft cutting HEAD~20 off from its parents (git reads info/grafts, deprecated but live).
  echo "$grafted" >odd.git.tmp/info/grafts
  echo "odd.git: alternates -> $(cat odd.git.tmp/objects/info/alternates); refs/replace/$old -> $new; graft $grafted (HEAD~20 of $head)" >&2
  mv odd.git.tmp odd.git
fi
du -sh terraform-provider-okta.git git.git git-head scan-corpus odd.git
