#!/usr/bin/env bash
# Checks that Cargo.toml's rust-version is real: everything (tests included) builds with
# that toolchain. Installs it with rustup on first use. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)
rustup toolchain list | grep -q "^${msrv}-" ||
  rustup toolchain install "$msrv" --profile minimal >/dev/null
cargo "+$msrv" check --all-targets --locked --quiet --target-dir target/msrv </dev/null
echo "rust-version $msrv: builds"
