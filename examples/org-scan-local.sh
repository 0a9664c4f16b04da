#!/usr/bin/env bash
# Scans every repository listed in REPOS_FILE on one machine the way a CI matrix or a
# Kubernetes Indexed Job does: SHARDS workers at once, each `tokenwarden history --shard
# K/SHARDS` over its share of the list, then `tokenwarden merge` of their reports.
#
#   examples/org-scan-local.sh REPOS_FILE OUT_DIR [SHARDS]
#
# REPOS_FILE: one local repository path or clone URL per line (`#` comments and blank
# lines are skipped); clone URLs are mirrored into OUT_DIR/mirrors with git, whose
# credential helpers supply any credentials. OUT_DIR gets report-K.json per shard,
# state/shard-K/ (run again: only new commits are scanned), shard-K.log (each worker's
# messages), merged.json and summary.md. SHARDS defaults to 2. TOKENWARDEN names the
# binary (default: tokenwarden on PATH).
#
# Exit code, as `tokenwarden merge`'s: 0 no incident, 1 incidents, 2 error (a shard that
# failed, i.e. exited 2: none of its repositories could be scanned, or a bad argument).
set -euo pipefail

usage() {
  echo "usage: $0 REPOS_FILE OUT_DIR [SHARDS]" >&2
  exit 2
}
[[ $# -ge 2 && $# -le 3 ]] || usage
repos=$1
out=$2
shards=${3:-2}
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || usage
# A file: every shard reads the whole list (standard input could be read only once).
[[ -f "$repos" ]] || {
  echo "$0: no repository list file at $repos" >&2
  exit 2
}
tw=${TOKENWARDEN:-tokenwarden}

mkdir -p "$out/mirrors" "$out/state"
pids=()
# Interrupted: stop the workers too.
trap 'kill ${pids[@]+"${pids[@]}"} 2>/dev/null; exit 130' INT TERM
for ((k = 1; k <= shards; k++)); do
  # A report left by an earlier run must not pass for this run's.
  rm -f "$out/report-$k.json"
  "$tw" history --repos "$repos" --shard "$k/$shards" \
    --mirror-dir "$out/mirrors" --state "$out/state/shard-$k" \
    --format json -o "$out/report-$k.json" 2>"$out/shard-$k.log" &
  pids+=("$!")
done

failed=0
reports=()
for ((k = 1; k <= shards; k++)); do
  code=0
  wait "${pids[k - 1]}" || code=$?
  sed "s/^/[shard $k\/$shards] /" "$out/shard-$k.log" >&2
  case "$code" in
    0 | 1) reports+=("$out/report-$k.json") ;; # 1: findings, merged below
    *)
      echo "$0: shard $k/$shards failed (exit $code)" >&2
      failed=1
      ;;
  esac
done
if ((failed)); then
  exit 2
fi

code=0
"$tw" merge "${reports[@]}" --format json -o "$out/merged.json" || code=$?
if ((code > 1)); then
  echo "$0: merge failed (exit $code)" >&2
  exit "$code"
fi
summary=0
"$tw" merge "${reports[@]}" --format markdown -o "$out/summary.md" || summary=$?
if ((summary > 1)); then
  echo "$0: merge --format markdown failed (exit $summary)" >&2
  exit "$summary"
fi
cat "$out/summary.md"
exit "$code"
