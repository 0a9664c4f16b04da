#!/usr/bin/env bash
# Builds tokenwarden from the action's own sources for action.yml, out of reach of the
# scanned workspace. cargo reads `.cargo/config.toml` from the working directory and every
# directory above it, and rustup reads `rust-toolchain.toml` from the working directory: run
# from the workspace (the step's default), a pull request adding `[build] rustc-wrapper =
# "./evil.sh"` or a toolchain of its own would run its code in this job. So:
#   - the build runs in the action's directory, which is not below the workspace;
#   - CARGO_HOME is a directory of this job's own (no `~/.cargo/config.toml` either);
#   - the toolchain is pinned through RUSTUP_TOOLCHAIN, which overrides any toolchain file.
#
# Inputs (environment): GITHUB_ACTION_PATH, GITHUB_WORKSPACE, RUNNER_TEMP, TW_RUST_TOOLCHAIN,
# TW_CARGO_HOME.
set -euo pipefail

action=$(cd "$GITHUB_ACTION_PATH" && pwd -P)
workspace=$(cd "${GITHUB_WORKSPACE:-.}" && pwd -P)
case "$action/" in
  "$workspace"/*)
    # `uses: ./`: the action is the checked-out code itself, whatever we do here.
    echo "::warning title=tokenwarden::the action runs from inside the workspace (uses: ./), so its build and scripts are the checked-out code: use a released version (uses: tokenwarden/tokenwarden@v1) on events that check out untrusted code"
    ;;
esac
cd "$action"
export CARGO_HOME="${TW_CARGO_HOME:?}"
export RUSTUP_TOOLCHAIN="${TW_RUST_TOOLCHAIN:?}"
mkdir -p "$CARGO_HOME"
if command -v rustup >/dev/null && ! rustup toolchain list | grep -q "^${RUSTUP_TOOLCHAIN}-"; then
  rustup toolchain install "$RUSTUP_TOOLCHAIN" --profile minimal --no-self-update
fi
cargo build --release --locked
