#!/usr/bin/env bash
# README's two commands from a clean clone, timed: the scan command, then the test command.
# Checks that the test command compiles no crate the scan command already compiled (a crate
# built twice means a feature set differs between the two: see the feature pins in
# Cargo.toml), and reports both wall times and how long the tests themselves run.
#
#   bench/shared-build.sh [WORKDIR]     # default: a fresh temporary directory
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
git clone -q "$src" "$work/tw"
cd "$work/tw"
export CARGO_TARGET_DIR="$work/target"

t0=$(date +%s.%N)
cargo run --release -- scan . >/dev/null 2>"$work/scan.log" || [ $? = 1 ]
t1=$(date +%s.%N)
cargo test --release --no-run -v >"$work/test-build.log" 2>&1
t2=$(date +%s.%N)
cargo test --release >"$work/test-run.log" 2>&1
t3=$(date +%s.%N)

grep -o 'Compiling [^ ]* v[^ ]*' "$work/scan.log" | sort -u >"$work/first.txt"
grep -o 'Compiling [^ ]* v[^ ]*' "$work/test-build.log" | sort -u >"$work/second.txt"
twice=$(comm -12 "$work/first.txt" "$work/second.txt" | grep -v ' tokenwarden ' || true)
secs() { python3 -c "print(f'{$2 - $1:.0f}')"; }
echo "scan command (build + scan):   $(secs "$t0" "$t1") s, $(wc -l <"$work/first.txt") crates compiled"
echo "test build:                    $(secs "$t1" "$t2") s, $(wc -l <"$work/second.txt") crates compiled"
echo "test run (after the build):    $(secs "$t2" "$t3") s"
echo "both commands:                 $(secs "$t0" "$t3") s"
if [ -n "$twice" ]; then
  echo "compiled by both commands:"; echo "$twice"; exit 1
fi
echo "no crate compiled twice"
