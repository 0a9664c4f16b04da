#!/usr/bin/env bash
# Organization benchmark (issue #28): `tokenwarden history` over a synthetic organization of
# 200 repositories (bench/org-gen.py: mixed sizes, 5 broken, half listed as file:// URLs so
# that every run mirrors them with `git clone --mirror`), split over N shard processes run
# side by side, then `tokenwarden merge` of their reports; and the cost of one repository
# (process start, mirror clone, scan, refetch).
#
# Usage: bench/org.sh
#
#   1. bench/org-gen.py ORG_DIR: generates the organization once (reused while its
#      parameters are the same: ORG_DIR/stamp.json); ORG_DIR/repos.txt is the list.
#   2. For N in SHARDS: N processes at once, shard K of N each,
#        tokenwarden history --repos repos.txt --shard K/N --mirror-dir RUN/mirrors \
#          --format json -o RUN/report-N-K.json --jobs JOBS -q
#      (RUN = ORG_DIR/runs/nN, emptied first: every URL is cloned again), each timed (wall,
#      and with GNU time CPU and peak RSS), then
#        tokenwarden merge RUN/report-N-*.json --format json -o RUN/merged-N.json
#      merged-N.json must hold the same incidents as merged-1.json (fingerprints, rule, and
#      the sorted locations; timing fields ignored): OK or MISMATCH. merged-1.json is also
#      checked against the planted tokens of ORG_DIR/manifest.json.
#   3. With STATE_RUN=1: one unsharded run with --state RUN/state twice (the second finds
#      every repository unchanged and its mirror up to date).
#   4. Per repository: process start (`--version`, and `history` of an empty list),
#      `git clone --mirror` of the URL-listed repositories (mean per size), `git fetch
#      --prune` of an up-to-date mirror, `history` of one small local repository, and of
#      one small and one large URL: first run (clone into a fresh mirror directory) and
#      second (fetch).
#   5. Prints a Markdown block for bench/RESULTS.md (machine, git and tokenwarden versions;
#      no path of this machine in it) and writes it to ORG_DIR/results.md.
#
# Environment (and bench/lib.sh's: TOKENWARDEN, QUIET_WAIT):
#   ORG_DIR=$BENCH_TOOLS/org-bench   the organization, its runs and results.md
#   SHARDS="1 2 4"  JOBS=4          shard counts (1 must come first: the reference); --jobs
#   START_RUNS=20 SCAN_RUNS=20 MIRROR_RUNS=20 LARGE_RUNS=3   runs of the per-repository
#                                   measurements (LARGE_RUNS: one large URL, first and second run)
#   STATE_RUN=1                     0: skip the --state runs
#   PEERS=kingfisher                peers run on the same repositories as local paths (empty:
#                                   none; installed into BENCH_TOOLS when missing)
#   GEN_ONLY=1                      only generate (and verify) the organization
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export LC_ALL=C   # EPOCHREALTIME and printf with a decimal point

ORG_DIR="${ORG_DIR:-$BENCH_TOOLS/org-bench}"
SHARDS="${SHARDS:-1 2 4}"
JOBS="${JOBS:-4}"
START_RUNS="${START_RUNS:-20}"
SCAN_RUNS="${SCAN_RUNS:-20}"
MIRROR_RUNS="${MIRROR_RUNS:-20}"
LARGE_RUNS="${LARGE_RUNS:-3}"
STATE_RUN="${STATE_RUN:-1}"
PEERS="${PEERS-kingfisher}"
GEN_ONLY="${GEN_ONLY:-0}"
[[ -n "${EPOCHREALTIME:-}" ]] || die "bash 5 is required (EPOCHREALTIME)"
[[ "${SHARDS%% *}" == 1 ]] || die "SHARDS must start with 1 (the reference run): $SHARDS"
command -v python3 >/dev/null 2>&1 || die "python3 is required"
GNU_TIME=""
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then GNU_TIME=/usr/bin/time
else log "note: no GNU time (/usr/bin/time -v): no CPU time or peak RSS (apt-get install time)"; fi

# ---------------------------------------------------------------- 1. the organization

python3 "$BENCH_DIR/org-gen.py" "$ORG_DIR" >&2 || die "generating the organization failed"
ORG_DIR="$(cd "$ORG_DIR" && pwd)"
LIST="$ORG_DIR/repos.txt"
MANIFEST="$ORG_DIR/manifest.json"
if [[ "$GEN_ONLY" == 1 ]]; then log "GEN_ONLY=1: $LIST is ready"; exit 0; fi

require_tokenwarden
"$TOKENWARDEN" merge --help >/dev/null 2>&1 \
  || die "$TOKENWARDEN has no 'merge' subcommand (a build before issue #28?)"
"$TOKENWARDEN" history --help 2>/dev/null | grep -q -- '--shard' \
  || die "$TOKENWARDEN history has no --shard (a build before issue #28?)"
tokenwarden_version

# The Python side: picking repositories from the manifest, parsing GNU time, comparing
# merged reports, the Markdown.
PY="$work/org.py"
cat >"$PY" <<'PY'
import json, re, statistics, sys

def load(p):
    with open(p) as f:
        return json.load(f)

def pick(manifest, kind, listed, limit=None):
    """Names of healthy repositories of a kind and listing (work trees before bare ones for
    local paths), the ones with the median commit count first."""
    rs = [r for r in load(manifest)["repos"]
          if r["kind"] == kind and not r["broken"] and r["listed"] == listed]
    med = statistics.median(r["commits"] for r in rs) if rs else 0
    rs.sort(key=lambda r: (r["bare"], abs(r["commits"] - med), r["index"]))
    for r in rs[:int(limit)] if limit else rs:
        print(f'{r["name"]}\t{r["commits"]}')

def gnu_time(path):
    """wall_s cpu_s rss_kib from `/usr/bin/time -v -o PATH`."""
    t = open(path).read()
    g = lambda k: float(re.search(re.escape(k) + r":\s*([0-9.]+)", t).group(1))
    print(f'{g("User time (seconds)") + g("System time (seconds)"):.2f}',
          int(g("Maximum resident set size (kbytes)")))

def incidents(path):
    """fingerprint -> (rule, sorted locations), timing and order ignored."""
    d = load(path)
    out = {}
    for i in d.get("incidents", []):
        locs = sorted((l.get("repository") or "", l.get("path") or "", l.get("line") or 0,
                       l.get("commit") or "") for l in i.get("locations", []))
        out[i["fingerprint"]] = (i.get("rule_id"), locs)
    return out

def repositories(path):
    d = load(path)
    return {r.get("repository"): (bool(r.get("scanned")), r.get("error") is not None)
            for r in d.get("repositories", [])}

def compare(ref, other):
    a, b = incidents(ref), incidents(other)
    ra, rb = repositories(ref), repositories(other)
    problems = []
    for fp in sorted(set(a) | set(b)):
        if fp not in b:
            problems.append(f"incident {fp[:16]} only in the reference ({len(a[fp][1])} locations)")
        elif fp not in a:
            problems.append(f"incident {fp[:16]} only in the other ({len(b[fp][1])} locations)")
        elif a[fp] != b[fp]:
            la, lb = set(a[fp][1]), set(b[fp][1])
            problems.append(f"incident {fp[:16]}: {len(la - lb)} locations missing, {len(lb - la)} extra")
    if ra != rb:
        problems.append(f"repositories differ: {len(set(ra) ^ set(rb))} named in one only, "
                        f"{sum(1 for k in set(ra) & set(rb) if ra[k] != rb[k])} scanned/failed differently")
    print("OK" if not problems else "MISMATCH")
    for p in problems[:20]:
        print("  " + p, file=sys.stderr)

def expect(manifest, merged):
    """The planted tokens against the merged incidents, by (repository, path): a token is
    found when one incident holds every place it was planted."""
    m, d = load(manifest), load(merged)
    inc = [(i, {(l.get("repository"), l.get("path")) for l in i.get("locations", [])})
           for i in d.get("incidents", [])]
    found, partial, missing, matched, head = 0, [], [], set(), []
    for t in m["tokens"]:
        want = {(l["repository"], l["path"]) for l in t["locations"]}
        best = max(inc, key=lambda x: len(x[1] & want), default=(None, set()))
        got = best[1] & want
        if got == want:
            found += 1
            matched.add(id(best[0]))
            # at_head: still in the tree of some repository's HEAD (a side branch is not HEAD)
            if best[0].get("at_head") != any(l["at_head"] for l in t["locations"]):
                head.append(t["id"])
        elif got:
            partial.append(f'{t["id"]} ({len(got)}/{len(want)} places)')
            matched.add(id(best[0]))
        else:
            missing.append(f'{t["id"]} ({t["story"]})')
    extra = [i for i, _ in inc if id(i) not in matched]
    print(f'{found}/{len(m["tokens"])} planted tokens found in all their places'
          + (f'; partly: {", ".join(partial)}' if partial else "")
          + (f'; missing: {", ".join(missing)}' if missing else "")
          + (f'; {len(extra)} incidents not planted' if extra else "")
          + (f'; at_head differs from the plan for {", ".join(head)}' if head
             else "; at_head as planned for all"))

def summary(merged):
    """One line on the merged report: incidents, locations, repositories and their errors
    (counted by kind of repository, never with paths)."""
    d = load(merged)
    s = d.get("stats", {})
    reps = d.get("repositories", [])
    failed = [r for r in reps if r.get("error")]
    line = (f'{len(d.get("incidents", []))} incidents, {s.get("locations", "?")} locations; '
            f'{len(reps)} repositories reported, {sum(1 for r in reps if r.get("scanned"))} '
            f'scanned, {len(failed)} with an error')
    if isinstance(s.get("blobs_scanned"), int) and isinstance(s.get("bytes_scanned"), int):
        line += f'; {s["blobs_scanned"]:,} blobs, {s["bytes_scanned"] / 2**20:,.0f} MiB scanned'
    print(line)

def broken(manifest, merged):
    """How each broken repository of the manifest came out: scanned, error, or absent."""
    m, d = load(manifest), load(merged)
    by = {r.get("repository"): r for r in d.get("repositories", [])}
    out = []
    for r in m["repos"]:
        if not r["broken"]:
            continue
        e = by.get(r["name"])
        if e is None:
            st = "not in the report"
        elif e.get("error"):
            st = "error"
        elif e.get("scanned"):
            st = f'scanned ({e.get("findings", "?")} findings)'
        else:
            st = "not scanned, no error"
        out.append(f'{r["broken"]} ({r["listed"]}): {st}')
    print("; ".join(out))

def describe(manifest):
    m = load(manifest)
    rs = m["repos"]
    k = lambda kind: sum(1 for r in rs if r["kind"] == kind)
    commits = sum(r.get("commits", 0) for r in rs)
    shared = max(len({l["repository"] for l in t["locations"]}) for t in m["tokens"])
    per_repo = max(sum(l["repository"] == r for l in t["locations"])
                   for t in m["tokens"] for r in {l["repository"] for l in t["locations"]})
    print(f'{len(rs)} repositories ({k("small")} small of 5-50 commits, {k("medium")} medium of '
          f'200-1000, {k("large")} large of 3000-5000, {k("broken")} broken: '
          f'{", ".join(r["broken"] for r in rs if r["broken"])}), {commits:,} commits; '
          f'{sum(r["listed"] == "path" for r in rs)} listed by path, '
          f'{sum(r["listed"] == "url" for r in rs)} by file:// URL; {len(m["tokens"])} planted '
          f'synthetic tokens (one in {shared} repositories, one in {per_repo} files of one '
          f'repository, some only in history, on a side branch or in a commit message)')

def stats(values):
    """n mean min max of seconds given as text."""
    v = [float(x) for x in values.split()]
    print(len(v), f"{statistics.mean(v):.6f}", f"{min(v):.6f}", f"{max(v):.6f}")

cmd, *args = sys.argv[1:]
globals()[cmd](*args)
PY
py() { python3 "$PY" "$@"; }

# Figures for the tables, one per line: KIND<TAB>fields...
FIG="$work/figures.tsv"
: >"$FIG"
fig() { local IFS=$'\t'; printf '%s\n' "$*" >>"$FIG"; }
# secs START END: the seconds between two EPOCHREALTIME values (in bash: no process forked)
secs() { local d=$(( ${2/./} - ${1/./} )); printf '%d.%06d' $((d / 1000000)) $((d % 1000000)); }
# note_build: remember when cargo/rustc ran during a measurement (lib.sh's BUILT_DURING)
note_build() { if building; then BUILT_DURING="${BUILT_DURING:+$BUILT_DURING, }$1"; fi; }

check_cpu_busy
log "organization: $(py describe "$MANIFEST")"

# ---------------------------------------------------------------- 2. N shards side by side

# run_shard N K DIR: one shard process; writes DIR/shard-K.tsv (wall, exit code, CPU, RSS)
run_shard() {
  local n="$1" k="$2" d="$3" t0 t1 rc=0 cpu="" rss=""
  local cmd=("$TOKENWARDEN" history --repos "$LIST" --shard "$k/$n" --mirror-dir "$d/mirrors"
             --format json -o "$d/report-$n-$k.json" --jobs "$JOBS" -q)
  t0="$EPOCHREALTIME"
  if [[ -n "$GNU_TIME" ]]; then
    "$GNU_TIME" -v -o "$d/time-$k.txt" "${cmd[@]}" 2>"$d/stderr-$k.txt" || rc=$?
  else
    "${cmd[@]}" 2>"$d/stderr-$k.txt" || rc=$?
  fi
  t1="$EPOCHREALTIME"
  if [[ -n "$GNU_TIME" && -s "$d/time-$k.txt" ]]; then read -r cpu rss < <(py gnu_time "$d/time-$k.txt"); fi
  printf '%s\t%s\t%s\t%s\n' "$(secs "$t0" "$t1")" "$rc" "${cpu:--}" "${rss:--}" >"$d/shard-$k.tsv"
}

declare -A MERGED
for n in $SHARDS; do
  d="$ORG_DIR/runs/n$n"
  rm -rf "$d"
  mkdir -p "$d/mirrors"
  wait_quiet
  log "== $n shard(s) side by side, --jobs $JOBS (load $(loadavg))"
  t0="$EPOCHREALTIME"
  for ((k = 1; k <= n; k++)); do run_shard "$n" "$k" "$d" & done
  wait
  t1="$EPOCHREALTIME"
  note_build "$n shard(s)"
  total="$(secs "$t0" "$t1")"
  for ((k = 1; k <= n; k++)); do
    IFS=$'\t' read -r wall rc cpu rss <"$d/shard-$k.tsv"
    log "   shard $k/$n: ${wall} s, exit $rc, CPU ${cpu} s, peak RSS ${rss} KiB, $(grep -c . "$d/stderr-$k.txt" || true) stderr lines"
    [[ "$rc" == 0 || "$rc" == 1 ]] || log "   warning: shard $k/$n exited with $rc: $(tail -n3 "$d/stderr-$k.txt")"
    [[ -s "$d/report-$n-$k.json" ]] || die "shard $k/$n wrote no report (exit $rc; see $d/stderr-$k.txt)"
    fig shard "$n" "$k" "$wall" "$rc" "$cpu" "$rss"
  done
  t0="$EPOCHREALTIME" rc=0
  "$TOKENWARDEN" merge "$d"/report-"$n"-*.json --format json -o "$d/merged-$n.json" 2>"$d/merge-stderr.txt" || rc=$?
  t1="$EPOCHREALTIME"
  [[ "$rc" == 0 || "$rc" == 1 ]] || die "merge of $n shard(s) exited with $rc: $(tail -n3 "$d/merge-stderr.txt")"
  MERGED[$n]="$d/merged-$n.json"
  if [[ "$n" == 1 ]]; then same="reference"; else same="$(py compare "${MERGED[1]}" "${MERGED[$n]}")"; fi
  fig total "$n" "$total" "$(secs "$t0" "$t1")" "$same"
  log "   all $n: ${total} s; merge $(secs "$t0" "$t1") s (exit $rc); merged-$n vs merged-1: $same"
  log "   $(py summary "${MERGED[$n]}")"
done

FOUND_LINE="$(py summary "${MERGED[1]}")"
EXPECT_LINE="$(py expect "$MANIFEST" "${MERGED[1]}")"
BROKEN_LINE="$(py broken "$MANIFEST" "${MERGED[1]}")"
log "   planted: $EXPECT_LINE"
log "   broken: $BROKEN_LINE"

# ---------------------------------------------------------------- 3. --state DIR, twice

if [[ "$STATE_RUN" == 1 ]]; then
  d="$ORG_DIR/runs/state"
  rm -rf "$d"
  mkdir -p "$d/mirrors"
  for pass in 1 2; do
    wait_quiet
    rc=0 t0="$EPOCHREALTIME"
    "$TOKENWARDEN" history --repos "$LIST" --state "$d/state" --mirror-dir "$d/mirrors" \
      --format json -o "$d/report-$pass.json" --jobs "$JOBS" -q 2>"$d/stderr-$pass.txt" || rc=$?
    t1="$EPOCHREALTIME"
    [[ "$rc" == 0 || "$rc" == 1 || "$rc" == 2 ]] || die "--state run $pass exited with $rc: $(tail -n3 "$d/stderr-$pass.txt")"
    note_build "--state run $pass"
    fig state "$pass" "$(secs "$t0" "$t1")" "$rc"
    log "== --state DIR, run $pass: $(secs "$t0" "$t1") s, exit $rc"
  done
fi

# ---------------------------------------------------------------- 3b. a peer, same repositories

# Every scannable repository of the organization as a local path (no clone: Kingfisher
# would clone URLs its own way), all refs' history: tokenwarden `history --repos` against
# `kingfisher scan PATH... --git-history full --no-validate`.
if [[ -n "$PEERS" ]]; then
  # shellcheck disable=SC2086 # PEERS is a word list
  locate_peers $PEERS
  for tool in $PEERS; do peer_version "$tool"; done
  d="$ORG_DIR/runs/peers"
  rm -rf "$d"
  mkdir -p "$d"
  python3 - "$MANIFEST" "$ORG_DIR" >"$d/paths.txt" <<'PY'
import json, os, sys
m = json.load(open(sys.argv[1]))
for r in m["repos"]:
    path = os.path.join(sys.argv[2], r["dir"])
    if r.get("broken") in (None, "missing-blob") and os.path.exists(path):
        print(path)
PY
  mapfile -t peer_paths <"$d/paths.txt"
  # peer_run TOOL CMD...: one timed run after a warm-up, a `peer` row (wall, peak RSS)
  peer_run() {
    local tool="$1" rc
    shift
    "$@" >/dev/null 2>&1 || true
    wait_quiet
    rc=0
    /usr/bin/time -f "%e %M" -o "$d/time-$tool.txt" "$@" >"$d/out-$tool.txt" 2>&1 || rc=$?
    note_build "peer $tool"
    # GNU time writes "Command exited with non-zero status N" first when it did.
    read -r wall rss < <(tail -n1 "$d/time-$tool.txt")
    fig peer "$tool" "$wall" "$rss" "$rc" "${#peer_paths[@]}"
    log "== peer $tool: ${#peer_paths[@]} repositories as paths: $wall s, $((rss / 1024)) MiB, exit $rc"
  }
  peer_run tokenwarden "$TOKENWARDEN" history --repos "$d/paths.txt" --jobs "$JOBS" -q \
    --format json -o "$d/tokenwarden.json"
  for tool in $PEERS; do
    case "$tool" in
      kingfisher) peer_run kingfisher "$KINGFISHER" scan "${peer_paths[@]}" --git-history full \
          --no-validate --no-update-check --format json -o "$d/kingfisher.json" ;;
      *) log "org.sh: no organization run for peer $tool" ;;
    esac
  done
fi

# ---------------------------------------------------------------- 4. per repository

# time_runs LABEL COMMAND_SHOWN RUNS CMD...: RUNS timed runs after one warm-up (any exit
# code: the exit codes seen are noted); a row of the cost table
time_runs() {
  local label="$1" shown="$2" runs="$3" i t0 t1 all="" codes="" rc
  shift 3
  "$@" >/dev/null 2>&1 || true
  for ((i = 0; i < runs; i++)); do
    rc=0 t0="$EPOCHREALTIME"
    "$@" >/dev/null 2>&1 || rc=$?
    t1="$EPOCHREALTIME"
    all+=" $(secs "$t0" "$t1")"
    [[ " $codes " == *" $rc "* ]] || codes+="${codes:+ }$rc"
  done
  note_build "$label"
  cost_row "$label" "$shown" "$all" "exit $codes"
}
cost_row() { # LABEL SHOWN "SECONDS..." NOTE
  local n mean min max
  read -r n mean min max < <(py stats "$3")
  fig cost "$1" "$2" "$n" "$mean" "$min" "$max" "$4"
  log "   $1: mean $mean s, min $min s over $n ($4)"
}

wait_quiet
log "== per repository"
empty="$work/empty-list.txt"
printf '# no repository\n' >"$empty"
time_runs "process start" "tokenwarden --version" "$START_RUNS" "$TOKENWARDEN" --version
time_runs "process start, history of an empty list" \
  "tokenwarden history --repos EMPTY --format json -o OUT -q" "$START_RUNS" \
  "$TOKENWARDEN" history --repos "$empty" --format json -o "$work/empty.json" -q

# Mirror clones of the URL-listed repositories, by size; then fetching an up-to-date mirror.
for kind in small medium large; do
  all="" fetches="" i=0
  while IFS=$'\t' read -r url _; do
    i=$((i + 1))
    dest="$work/clones/$kind-$i.git"
    t0="$EPOCHREALTIME"
    git clone --mirror -q "$url" "$dest" 2>/dev/null || die "git clone --mirror failed: $url"
    t1="$EPOCHREALTIME"
    all+=" $(secs "$t0" "$t1")"
    if [[ "$kind" == small ]]; then
      t0="$EPOCHREALTIME"
      git -C "$dest" fetch --prune -q
      t1="$EPOCHREALTIME"
      fetches+=" $(secs "$t0" "$t1")"
    fi
  done < <(py pick "$MANIFEST" "$kind" url)
  note_build "mirror clones ($kind)"
  if [[ -n "$all" ]]; then
    cost_row "mirror clone, $kind repository (each URL-listed one)" "git clone --mirror -q file://… DEST" "$all" ""
  fi
  if [[ -n "$fetches" ]]; then
    cost_row "mirror refetch, small repository, nothing new" "git -C DEST fetch --prune -q" "$fetches" ""
  fi
  rm -rf "$work/clones"
done

IFS=$'\t' read -r small_local small_local_commits < <(py pick "$MANIFEST" small path 1)
IFS=$'\t' read -r small_url small_url_commits < <(py pick "$MANIFEST" small url 1)
time_runs "scan, one small local repository ($small_local_commits commits)" \
  "tokenwarden history REPO --format json -o OUT -q" "$SCAN_RUNS" \
  "$TOKENWARDEN" history "$small_local" --format json -o "$work/one.json" -q

# url_twice LABEL URL RUNS: the same URL RUNS times into a fresh mirror directory (clone),
# then again into the same one (fetch --prune, nothing new); two rows
url_twice() {
  local label="$1" url="$2" runs="$3" i pass rc t0 t1 first="" second="" codes1="" codes2=""
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/mirror-one"
    for pass in 1 2; do
      rc=0 t0="$EPOCHREALTIME"
      "$TOKENWARDEN" history "$url" --mirror-dir "$work/mirror-one" --format json \
        -o "$work/one-url.json" -q >/dev/null 2>&1 || rc=$?
      t1="$EPOCHREALTIME"
      if [[ "$pass" == 1 ]]; then
        first+=" $(secs "$t0" "$t1")"
        [[ " $codes1 " == *" $rc "* ]] || codes1+="${codes1:+ }$rc"
      else
        second+=" $(secs "$t0" "$t1")"
        [[ " $codes2 " == *" $rc "* ]] || codes2+="${codes2:+ }$rc"
      fi
    done
  done
  note_build "$label"
  cost_row "$label, first run: mirror clone" \
    "tokenwarden history file://… --mirror-dir FRESH --format json -o OUT -q" "$first" "exit $codes1"
  cost_row "same URL, second run: git fetch --prune, nothing new" \
    "tokenwarden history file://… --mirror-dir SAME --format json -o OUT -q" "$second" "exit $codes2"
  rm -rf "$work/mirror-one"
}
url_twice "scan, one small URL ($small_url_commits commits)" "$small_url" "$MIRROR_RUNS"
# The critical path of a shard: one large repository alone (clone + scan).
IFS=$'\t' read -r large_url large_url_commits < <(py pick "$MANIFEST" large url 1)
url_twice "scan, one large URL ($large_url_commits commits)" "$large_url" "$LARGE_RUNS"
timing_done

# ---------------------------------------------------------------- 5. the Markdown

git_version="$(git --version)"
ram="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //' || true)"
results="$ORG_DIR/results.md"
nrepos="$(grep -cvE '^[[:space:]]*(#|$)' "$LIST")"
python3 - "$FIG" "$nrepos" >"$work/tables.md" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
ntot = int(sys.argv[2])
def f(x, unit="s"):
    try:
        v = float(x)
    except ValueError:
        return x
    if unit == "ms" or v < 0.1:
        return f"{v * 1000:.1f} ms"
    return f"{v:.2f} s"
shards = {}
for r in rows:
    if r[0] == "shard":
        shards.setdefault(r[1], []).append(r[2:])
totals = {r[1]: r[2:] for r in rows if r[0] == "total"}
ref = float(totals["1"][0]) if "1" in totals else None
print("| shards N | wall, all N side by side | each shard (wall) | sum of shard walls | CPU user+sys (all shards) | cores busy (CPU / wall) | peak RSS (largest shard) | repositories / min | merge | speed-up vs N=1 | merged-N == merged-1 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for n, (total, merge, same) in totals.items():
    sh = shards.get(n, [])
    walls = [float(s[1]) for s in sh]
    codes = sorted({s[2] for s in sh})
    cpus = [float(s[3]) for s in sh if s[3] != "-"]
    rss = [int(s[4]) for s in sh if s[4] != "-"]
    each = ", ".join(f(w) for w in walls)
    note = "" if all(c in ("0", "1") for c in codes) else f" (exit codes {', '.join(codes)})"
    print(f"| {n} | {f(total)} | {each}{note} | {f(sum(walls))} | "
          f"{f(sum(cpus)) if cpus else '–'} | {f'{sum(cpus) / float(total):.2f}' if cpus else '–'} | "
          f"{f'{max(rss) / 1024:.0f} MiB' if rss else '–'} | "
          f"{ntot / float(total) * 60:.0f} | {f(merge)} | "
          f"{ref / float(total):.2f}× | {same} |")
st = [r for r in rows if r[0] == "state"]
if st:
    print()
    print("| unsharded, `--state DIR` | wall | exit |")
    print("|---|---|---|")
    for r in st:
        what = "first run (clones every URL, scans everything, writes the states)" if r[1] == "1" \
            else "second run (every mirror fetched, nothing new; every state up to date)"
        print(f"| {what} | {f(r[2])} | {r[3]} |")
pe = [r for r in rows if r[0] == "peer"]
if pe:
    print()
    print(f"| every scannable repository ({pe[0][5]}) as a local path, all refs | wall | peak RSS | exit | vs tokenwarden |")
    print("|---|---|---|---|---|")
    base = float(pe[0][2])
    for r in pe:
        print(f"| {r[1]} | {f(r[2])} | {int(r[3]) / 1024:.0f} MiB | {r[4]} | {float(r[2]) / base:.2f}× |")
print()
print("| per repository | command | runs | mean | min | max | note |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    if r[0] == "cost":
        _, label, cmd, n, mean, mn, mx, note = r
        print(f"| {label} | `{cmd}` | {n} | {f(mean)} | {f(mn)} | {f(mx)} | {note} |")
PY

{
  echo
  echo "### Organization: $nrepos repositories, sharded (\`bench/org.sh\`)"
  echo
  echo "Organization (\`bench/org-gen.py\`, fixed seed): $(py describe "$MANIFEST")."
  echo "Machine: $(nproc) CPUs${cpu_model:+ ($cpu_model)}, $ram RAM; ${BUSY_BEFORE}% busy just before, load (1/5/15 min) before: $LOAD_BEFORE, after: ${LOAD_AFTER:-$(loadavg)}; $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "$git_version; ${VERSION[tokenwarden]} (repo HEAD $(tokenwarden_rev))$(for tool in $PEERS; do printf '; %s' "${VERSION[$tool]:-}"; done)."
  echo
  echo "Each shard: \`tokenwarden history --repos repos.txt --shard K/N --mirror-dir MIRRORS --format json -o report-N-K.json --jobs $JOBS -q\`,"
  echo "the N of one run started together with a fresh, empty MIRRORS (every URL cloned); then"
  echo "\`tokenwarden merge report-N-*.json --format json -o merged-N.json\`. Repositories per minute: the $nrepos listed over the wall of all N."
  echo "CPU: user + system time of the shard processes and their children (git clone, fetch), from GNU time.
merged-N == merged-1: the same incidents (fingerprint, rule, sorted locations: repository, path, line, commit) and repositories."
  echo
  cat "$work/tables.md"
  echo
  echo "Merged, one shard: $FOUND_LINE."
  echo "Planted: $EXPECT_LINE."
  echo "Broken repositories: $BROKEN_LINE."
  [[ -z "$BUILT_DURING" ]] || echo "Warning: cargo/rustc ran during the measurements (figures skewed)."
} >"$results"

# No path of this machine in the results (the organization's, the checkout's, the home).
for p in "$ORG_DIR" "$BENCH_REPO" "$HOME" "$work" "${TMPDIR:-/tmp}/"; do
  if grep -qF -- "$p" "$results"; then log "warning: $results mentions $p"; fi
done
cat "$results"
log "wrote $results; reports and logs in $ORG_DIR/runs"
