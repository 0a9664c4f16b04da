#!/usr/bin/env bash
# Builds the PyPI wheel with maturin (from PyPI, into target/wheel-venv on first use),
# installs it into a fresh virtualenv as `pipx install` would, and runs the installed
# binary. Run by .ci/run after the tests (it reuses their release build).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/wheel-venv
if [[ ! -x "$tools/bin/maturin" ]]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet "maturin>=1.7,<2"
fi
out=target/wheels
rm -rf "$out" target/wheel-install
"$tools/bin/maturin" build --release --locked --quiet --out "$out" </dev/null
python3 -m venv target/wheel-install
target/wheel-install/bin/pip install --quiet "$out"/tokenwarden-*.whl
version=$(target/wheel-install/bin/tokenwarden --version)
[[ "$version" == "tokenwarden $(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)" ]] || {
  echo "the wheel's binary says '$version'" >&2
  exit 1
}
target/wheel-install/bin/tokenwarden scan --quiet src
echo "wheel: $(basename "$out"/tokenwarden-*.whl) installs and runs ($version)"
