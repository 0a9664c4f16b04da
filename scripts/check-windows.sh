#!/usr/bin/env bash
# On demand (not in .ci/run: a cold build takes minutes): tokenwarden for Windows, from Linux.
#   1. clippy -D warnings for x86_64-pc-windows-gnu, every target (lib, bin, tests);
#   2. with Wine: the unit tests, and the integration tests that do not drive git (Wine has no
#      Git for Windows; those run on the windows-2025 job of ci.yml).
# Needs: rustup target x86_64-pc-windows-gnu, Debian's gcc-mingw-w64-x86-64; for 2, wine64.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
export CARGO_TARGET_DIR="${TW_WINDOWS_TARGET_DIR:-target/windows-check}"
if ! rustup target list --installed 2>/dev/null | grep -qx "$target" ||
  ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  echo "skipped: needs \`rustup target add $target\` and \`apt-get install gcc-mingw-w64-x86-64\`" >&2
  exit 0
fi
cargo clippy --target "$target" --all-targets -- -D warnings
echo "clippy for $target: clean"

wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
if [[ ! -x "$wine" ]]; then
  echo "no wine64: the tests were not run (apt-get install wine64)" >&2
  exit 0
fi
# Rust's std asks bcryptprimitives.dll for random bytes (ProcessPrng); Wine 8 has no such
# DLL. A stand-in forwards to RtlGenRandom.
export WINEDEBUG=-all
prefix="${WINEPREFIX:-$HOME/.wine}"
stub="$prefix/drive_c/windows/system32/bcryptprimitives.dll"
if [[ ! -f "$stub" ]]; then
  "$wine" cmd /c exit >/dev/null 2>&1 || true # creates the prefix
  src=$(mktemp -d)
  cat >"$src/stub.c" <<'C'
#include <windows.h>
BOOLEAN WINAPI SystemFunction036(PVOID buf, ULONG len);
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
C
  x86_64-w64-mingw32-gcc -shared -O2 -o "$stub" "$src/stub.c" -ladvapi32
  rm -rf "$src"
fi
# The tests name the binary by its Unix path; Wine resolves a rooted path on the current
# drive, and temporary directories are on C:.
[[ -e "$prefix/drive_c/work" ]] || ln -s /work "$prefix/drive_c/work" 2>/dev/null || true

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$wine"
cargo test --target "$target" --lib
log=$(mktemp)
set +e
cargo test --target "$target" --test all -- --test-threads 2 >"$log" 2>&1
set -e
python3 - "$log" <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
parts = re.split(r"\n---- (\S+) stdout ----\n", log)
need_git, real = [], []
for name, body in zip(parts[1::2], parts[2::2]):
    (need_git if "program not found" in body[:800] else real).append(name)
summary = re.findall(r"test result: \w+\. (\d+) passed; (\d+) failed", log)
passed = summary[-1][0] if summary else "?"
print(f"integration tests under Wine: {passed} passed, {len(need_git)} need git (not run here)")
for name in real:
    print(f"FAILED on Windows: {name}")
sys.exit(1 if real or not summary else 0)
PY
