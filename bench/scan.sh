#!/usr/bin/env bash
# Directory-scan benchmark: tokenwarden against ripgrep (bare token regex, the floor),
# gitleaks (`dir`), Kingfisher (`--git-history none --no-validate`), ripsecrets and
# detect-secrets, on one directory tree.
#
# Usage: bench/scan.sh [CORPUS]        (default CORPUS: $CACHE/scan-corpus)
#
# Each tool gets WARMUP warm-up runs, then RUNS timed runs (hyperfine); the table shows
# the minimum wall time, the peak RSS over the timed runs (`/usr/bin/time -f %M`) and
# the ratio to tokenwarden. See bench/README.md for the corpus.
#
# Environment (and those of bench/lib.sh: TOKENWARDEN, BENCH_TOOLS, NO_INSTALL, QUIET_WAIT):
#   RUNS=3 WARMUP=1
#   COUNTS=1      afterwards, one extra run per tool writing a report, to count findings
#   TOOLS="tokenwarden rg gitleaks kingfisher ripsecrets detect-secrets"  subset/order
#   SLOW_TOOLS="ripsecrets detect-secrets"  one run, no warm-up, stopped after
#                 SLOW_TIMEOUT=300 seconds (reported as timed out)
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS="${1:-$CACHE/scan-corpus}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
COUNTS="${COUNTS:-1}"
TOOLS="${TOOLS:-tokenwarden rg gitleaks kingfisher ripsecrets detect-secrets}"
SLOW_TOOLS="${SLOW_TOOLS-ripsecrets detect-secrets}"

[[ -d "$CORPUS" ]] || die "corpus directory not found: $CORPUS (see bench/README.md)"
CORPUS="$(cd "$CORPUS" && pwd)"
require_tokenwarden
ensure_basics
for t in $TOOLS; do
  case "$t" in
    tokenwarden|rg|gitleaks|kingfisher|ripsecrets|detect-secrets) ;;
    *) die "unknown tool in TOOLS: $t" ;;
  esac
done
# shellcheck disable=SC2086
locate_peers $TOOLS

C="$(q "$CORPUS")"
RG_RE='(?-u:\b)00[A-Za-z0-9_-]{40}(?-u:\b)'

tokenwarden_version
CMD[tokenwarden]="$(q "$TOKENWARDEN") scan --format json -o /dev/null $C"
OKCODES[tokenwarden]="0 1"          # 1 = findings
if [[ -n "$RG" ]]; then
  CMD[rg]="$(q "$RG") -c $(q "$RG_RE") $C"
  OKCODES[rg]="0 1"                 # 1 = no match
fi
if [[ -n "$GITLEAKS" ]]; then
  # Never `--report-path /dev/null`: gitleaks 8.30 replaces the report path with a new
  # regular file, and as root that turns /dev/null into a file. The report goes to a
  # scratch file (also used for the findings count). Without an extension in the
  # path, gitleaks 8.30 needs --report-format.
  CMD[gitleaks]="$(q "$GITLEAKS") dir $C --no-banner --report-format json --report-path $(q "$work/gitleaks.json")"
  OKCODES[gitleaks]="0 1"           # 1 = leaks found (--exit-code default)
fi
if [[ -n "$KINGFISHER" ]]; then
  CMD[kingfisher]="$(q "$KINGFISHER") scan $C --git-history none --no-validate --no-update-check"
  OKCODES[kingfisher]="0 200 205"   # 200 = findings, 205 = validated findings
fi
if [[ -n "$RIPSECRETS" ]]; then
  # Slow tools get one run: their findings come from that run's output.
  CMD[ripsecrets]="$(q "$RIPSECRETS") $C > $(q "$work/ripsecrets.txt")"
  OKCODES[ripsecrets]="0 1"
fi
if [[ -n "$DETECT_SECRETS" ]]; then
  # Run from inside the corpus: started in another git work tree, detect-secrets scans
  # that tree's tracked files, not the path given, and finishes at once having seen nothing.
  CMD[detect-secrets]="cd $C && $(q "$DETECT_SECRETS") scan --all-files . > $(q "$work/detect-secrets.json")"
  OKCODES[detect-secrets]="0 1"
fi
for t in $TOOLS; do peer_version "$t"; done

files="$(find "$CORPUS" -type f | wc -l)"
size="$(du -sh "$CORPUS" | cut -f1)"
log "corpus: $CORPUS ($size, $files files); $(nproc) CPUs"
# shellcheck disable=SC2086
bench_all "$RUNS" "$WARMUP" shell $TOOLS

if [[ "$COUNTS" == 1 ]]; then
  log "== counting findings (one extra run per tool)"
  for t in $TOOLS; do
    case "$t" in
      tokenwarden)
        "$TOKENWARDEN" scan --format json -o "$work/tw.json" "$CORPUS" >/dev/null 2>&1 || true
        FOUND[$t]="$(summarize tokenwarden "$work/tw.json")" ;;
      rg)
        FOUND[$t]="$("$RG" -c "$RG_RE" "$CORPUS" 2>/dev/null | awk -F: '{n+=$NF; f++} END {printf "%d matching lines in %d files (bare token shape, no filtering)", n, f}' || true)" ;;
      gitleaks) # the report of the last timed run
        FOUND[$t]="$(summarize gitleaks "$work/gitleaks.json")" ;;
      kingfisher)
        "$KINGFISHER" scan "$CORPUS" --git-history none --no-validate --no-update-check \
          --format json -o "$work/kf.json" >/dev/null 2>&1 || true
        FOUND[$t]="$(summarize kingfisher "$work/kf.json")" ;;
      ripsecrets|detect-secrets)
        if [[ "${WALL[$t]}" == *"timed out"* ]]; then FOUND[$t]="– (stopped before the end)"
        elif [[ "$t" == ripsecrets ]]; then FOUND[$t]="$(wc -l <"$work/ripsecrets.txt") findings (one per matching line)"
        else FOUND[$t]="$(summarize detect-secrets "$work/detect-secrets.json")"; fi ;;
    esac
  done
fi

# shellcheck disable=SC2086
{
  echo
  echo "Directory scan: $CORPUS ($size, $files files), warm cache, min of $RUNS runs after $WARMUP warm-up (slow tools: 1 run, stopped after $SLOW_TIMEOUT s)."
  print_machine_line
  echo
  print_table $TOOLS
  echo
  print_binaries $TOOLS
  if [[ "$COUNTS" == 1 ]]; then
    echo
    print_findings "Findings on the corpus (default settings of each tool):" $TOOLS
  fi
}
