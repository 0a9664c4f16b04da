#!/usr/bin/env bash
# Whole-history benchmark: `tokenwarden history` (every blob reachable from any ref)
# against the floor, `git cat-file --batch-all-objects --batch` (every object of the
# repository decompressed and written out, ordered and --unordered), and the peers
# gitleaks (`git`) and Kingfisher (`--git-history full --no-validate`). One table per
# repository.
#
# Usage: bench/history.sh [REPO...]
#   default: $CACHE/terraform-provider-okta.git $CACHE/git.git (bare mirror
#   clones; a work tree works too)
#
# A repository is "big" when its objects take BIG_MB MiB or more (git/git: ~500 MiB of
# packs, ~8 GB of blobs): big ones get BIG_RUNS runs after BIG_WARMUP warm-ups, and no
# findings count unless BIG_COUNTS=1.
#
# Environment (and those of bench/lib.sh: TOKENWARDEN, BENCH_TOOLS, NO_INSTALL, QUIET_WAIT):
#   RUNS=3 WARMUP=1 COUNTS=1     small repositories
#   BIG_MB=200 BIG_RUNS=1 BIG_WARMUP=0 BIG_COUNTS=0
#   BIG_PEERS=1   0: time only tokenwarden and git cat-file on big repositories
#   BIG_TIMEOUT=1800  seconds before a peer is stopped on a big repository
#   TOOLS="tokenwarden cat-file cat-file-unordered gitleaks kingfisher"  subset/order
#   COUNTS: one extra Kingfisher run writing JSON; tokenwarden's and gitleaks' counts
#           come from the reports of their last timed runs
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if (( $# )); then REPOS=("$@"); else REPOS=("$CACHE/terraform-provider-okta.git" "$CACHE/git.git"); fi
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
COUNTS="${COUNTS:-1}"
BIG_MB="${BIG_MB:-200}"
BIG_RUNS="${BIG_RUNS:-1}"
BIG_WARMUP="${BIG_WARMUP:-0}"
BIG_COUNTS="${BIG_COUNTS:-0}"
BIG_PEERS="${BIG_PEERS:-1}"
BIG_TIMEOUT="${BIG_TIMEOUT:-1800}"
TOOLS="${TOOLS:-tokenwarden cat-file cat-file-unordered gitleaks kingfisher}"
PEERS="gitleaks kingfisher"

for t in $TOOLS; do
  case "$t" in
    tokenwarden|cat-file|cat-file-unordered|gitleaks|kingfisher) ;;
    *) die "unknown tool in TOOLS: $t" ;;
  esac
done
declare -A GITDIR
for r in "${REPOS[@]}"; do
  [[ -d "$r" ]] || die "not found: $r (see bench/README.md)"
  GITDIR[$r]="$(git -C "$r" rev-parse --absolute-git-dir 2>/dev/null)" || die "not a git repository: $r"
done
require_tokenwarden
ensure_basics
# shellcheck disable=SC2086
locate_peers $TOOLS
tokenwarden_version
for t in $TOOLS; do peer_version "$t"; done
for t in cat-file cat-file-unordered; do VERSION[$t]="$(git --version) ($t)"; done

for R in "${REPOS[@]}"; do
  R="$(cd "$R" && pwd)"
  gd="${GITDIR[$R]:-$(git -C "$R" rev-parse --absolute-git-dir)}"
  objects_kib="$(du -sk "$gd/objects" | cut -f1)"
  nobj="$(git --git-dir="$gd" count-objects -v | awk '/^(count|in-pack):/ {n+=$2} END {print n}')"
  nrefs="$(git --git-dir="$gd" for-each-ref | wc -l)"
  desc="$(python3 -c "print(f'{$objects_kib/1024:.0f} MiB of objects, {$nobj:,} objects, {$nrefs:,} refs')")"

  runs="$RUNS" warmup="$WARMUP" counts="$COUNTS" tools="$TOOLS" SLOW_TOOLS="" note=""
  if (( objects_kib >= BIG_MB * 1024 )); then
    runs="$BIG_RUNS" warmup="$BIG_WARMUP" counts="$BIG_COUNTS"
    if [[ "$BIG_PEERS" == 1 ]]; then
      SLOW_TOOLS="$PEERS" SLOW_TIMEOUT="$BIG_TIMEOUT"
      note=" Big repository: peers get 1 run, stopped after $BIG_TIMEOUT s."
    else
      tools="$(for t in $TOOLS; do [[ " $PEERS " == *" $t "* ]] || printf '%s ' "$t"; done)"
      note=" Big repository: peers not run (BIG_PEERS=0)."
    fi
  fi

  # Globals of lib.sh, reset per repository (NRUNS is read there).
  # shellcheck disable=SC2034
  WALL=() MEAN=() SD=() NRUNS=() RSS=() FOUND=() CMD=() OKCODES=() BUILT_DURING=""
  C="$(q "$R")"
  CMD[tokenwarden]="$(q "$TOKENWARDEN") history --format json -o $(q "$work/tw.json") $C"
  OKCODES[tokenwarden]="0 1"        # 1 = findings
  CMD[cat-file]="git --git-dir=$(q "$gd") cat-file --batch-all-objects --batch > /dev/null"
  CMD[cat-file-unordered]="git --git-dir=$(q "$gd") cat-file --batch-all-objects --unordered --batch > /dev/null"
  if [[ -n "$GITLEAKS" ]]; then
    # `gitleaks git` runs `git log -p --all` in the repository (a bare one too); never
    # `--report-path /dev/null` (see scan.sh): the report goes to a scratch file.
    CMD[gitleaks]="$(q "$GITLEAKS") git $C --no-banner --report-format json --report-path $(q "$work/gitleaks.json")"
    OKCODES[gitleaks]="0 1"         # 1 = leaks found
  fi
  if [[ -n "$KINGFISHER" ]]; then
    CMD[kingfisher]="$(q "$KINGFISHER") scan $C --git-history full --no-validate --no-update-check > /dev/null"
    OKCODES[kingfisher]="0 200 205" # 200 = findings, 205 = validated findings
  fi

  log "repository: $R ($desc)"
  # shellcheck disable=SC2086
  bench_all "$runs" "$warmup" shell $tools

  if [[ "$counts" == 1 ]]; then
    log "== counting findings"
    for t in $tools; do
      case "$t" in
        tokenwarden) FOUND[$t]="$(summarize tokenwarden "$work/tw.json")" ;;  # last timed run
        gitleaks) FOUND[$t]="$(summarize gitleaks "$work/gitleaks.json") (per commit: the same secret added in several commits counts once per commit)" ;;
        kingfisher)
          "$KINGFISHER" scan "$R" --git-history full --no-validate --no-update-check \
            --format json -o "$work/kf.json" >/dev/null 2>&1 || true
          FOUND[$t]="$(summarize kingfisher "$work/kf.json")" ;;
      esac
    done
  fi

  # shellcheck disable=SC2086
  {
    echo
    echo "Whole history, all refs: $R ($desc), warm cache, min of $runs runs after $warmup warm-up.$note"
    print_machine_line
    echo
    TABLE_REFS="tokenwarden cat-file" print_table $tools
    echo
    print_binaries $tools
    if [[ "$counts" == 1 ]]; then
      echo
      # A list of tool names, split on purpose.
      # shellcheck disable=SC2046
      print_findings "Findings in the whole history (default settings of each tool):" \
        $(for t in $tools; do [[ "$t" == cat-file* ]] || printf '%s ' "$t"; done)
    fi
  }
done
