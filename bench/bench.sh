#!/usr/bin/env bash
# Runs one benchmark by name: bench/bench.sh scan|history|staged [ARGS...] is
# bench/scan.sh, bench/history.sh or bench/staged.sh with ARGS (their shared code is
# bench/lib.sh; bench/run.sh runs them all and writes bench/RESULTS.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  scan|history|staged) mode="$1"; shift; exec "$here/$mode.sh" "$@" ;;
  *) printf 'usage: bench/bench.sh scan|history|staged [ARGS...]\n' >&2; exit 2 ;;
esac
