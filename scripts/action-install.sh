#!/usr/bin/env bash
# Gets the tokenwarden binary for action.yml, in seconds rather than a cargo build:
#
#   - the action's ref is a release tag (v1.2.3), or a moving tag (v1) whose Cargo.toml
#     names the release: download the archive for this runner's OS and architecture and
#     SHA256SUMS from that release, check the archive against SHA256SUMS and its build
#     provenance attestation (`gh attestation verify`), unpack it; fail closed: a mismatch,
#     a missing entry or attestation stops the job;
#   - a commit SHA: the same, if the attestation says the release was built from exactly
#     that commit; anything else builds that commit from source;
#   - any other ref (a branch, a commit): no release to download; say so and give a cache
#     key that covers the action's own sources, for the build-from-source steps.
#
# Inputs (environment): TW_ACTION_REF (github.action_ref), RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_ACTION_PATH, GH_TOKEN (for gh); TW_RELEASE_BASE
# overrides where releases are downloaded from and TW_GH the gh binary (tests use a local
# server and a stand-in for the attestation service they cannot reach).
# Outputs: bin=<path to the binary> or build=true with cache-key=<key>.
set -euo pipefail

ref="${TW_ACTION_REF:-}"
out="${GITHUB_OUTPUT:-/dev/stdout}"
base="${TW_RELEASE_BASE:-https://github.com/tokenwarden/tokenwarden/releases/download}"
action="${GITHUB_ACTION_PATH:-$(cd "$(dirname "$0")/.." && pwd)}"

target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

# GNU coreutils' sha256sum (Linux, Git Bash on Windows) or Perl's shasum (macOS runners
# have it, and not always sha256sum): the same output either way.
if command -v sha256sum >/dev/null 2>&1; then
  sha256=(sha256sum)
else
  sha256=(shasum -a 256)
fi

build_from_source() {
  echo "::notice title=tokenwarden::$1: building from source"
  # hashFiles() cannot see the action's own files (they are outside the workspace), so
  # the key is computed here, from everything the build reads.
  local parts=() p
  for p in Cargo.toml Cargo.lock build.rs src rules action.yml scripts/action-build.sh; do
    [[ -e "$action/$p" ]] && parts+=("$p")
  done
  key=$(cd "$action" && find "${parts[@]}" -type f -print0 | sort -z | xargs -0 "${sha256[@]}" |
    "${sha256[@]}" | cut -c1-16)
  {
    echo "build=true"
    echo "cache-key=tokenwarden-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-${key}"
  } >>"$out"
  exit 0
}

version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action/Cargo.toml" | head -n1)
strict=true
source_args=()
if [[ "$ref" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  tag=$ref
elif [[ "$ref" =~ ^v[0-9]+(\.[0-9]+)?$ && "v$version" == "$ref".* ]]; then
  # A moving tag (`@v1`): it points at a release commit, whose own version names it.
  tag="v$version"
elif [[ "$ref" =~ ^[0-9a-f]{40}$ && -n "$version" ]]; then
  # A commit pin, as GitHub's hardening guide recommends: the release binary only if its
  # attestation says it was built from exactly this commit; otherwise build this commit.
  tag="v$version"
  strict=false
  source_args=(--source-digest "$ref")
else
  build_from_source "the action's ref '${ref:-unknown}' is not a release"
fi
triple=$(target) || build_from_source "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}"

# Stops the job, or for a commit pin falls back to building that commit.
refuse() {
  rm -f "$dir/$archive"
  if [[ "$strict" == false ]]; then
    build_from_source "commit ${ref:0:10} is not the build of release $tag ($1)"
  fi
  echo "::error title=tokenwarden::$1"
  exit 2
}

ext=tar.gz
[[ "$triple" == *windows* ]] && ext=zip
archive="tokenwarden-${tag}-${triple}.${ext}"
dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tokenwarden-${tag}"
mkdir -p "$dir"
fetch() { curl --fail --silent --show-error --location --retry 3 -o "$dir/$1" "$base/$tag/$1"; }
if ! fetch "$archive" || ! fetch SHA256SUMS; then
  refuse "cannot download $archive or SHA256SUMS of release $tag"
fi
expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$dir/SHA256SUMS")
actual=$("${sha256[@]}" "$dir/$archive" | cut -d' ' -f1)
if [[ -z "$expected" ]]; then
  refuse "SHA256SUMS of release $tag has no entry for $archive: not running it"
fi
if [[ "$expected" != "$actual" ]]; then
  refuse "$archive does not match SHA256SUMS of release $tag (expected $expected, got $actual): not running it"
fi
# SHA256SUMS comes from the same release as the archive: it catches a corrupt download, not
# a replaced asset. The build provenance attestation does: it is signed with the identity
# of this repository's release workflow run for this tag, which whoever can upload assets
# cannot forge. Fail closed: no verifier, no attestation, a mismatch all stop here.
repo="${TW_RELEASE_REPO:-tokenwarden/tokenwarden}"
gh="${TW_GH:-gh}"
if ! command -v "$gh" >/dev/null; then
  refuse "the GitHub CLI (gh) is needed to verify the build provenance of $archive and is not on this runner: install it, or pin the action by commit SHA to build from source"
fi
if ! "$gh" attestation verify "$dir/$archive" --repo "$repo" \
  --signer-workflow "$repo/.github/workflows/release.yml" \
  --source-ref "refs/tags/$tag" ${source_args[@]+"${source_args[@]}"} --deny-self-hosted-runners \
  >"$dir/attestation.log" 2>&1; then
  sed 's/^/  /' "$dir/attestation.log" >&2
  refuse "$archive has no valid build provenance attestation from $repo's release workflow at $tag: not running it"
fi
if [[ "$ext" == zip ]]; then
  unzip -q -o "$dir/$archive" -d "$dir"
else
  tar -xzf "$dir/$archive" -C "$dir"
fi
bin=$(find "$dir" -type f \( -name tokenwarden -o -name tokenwarden.exe \) | head -n1)
if [[ -z "$bin" ]]; then
  echo "::error title=tokenwarden::$archive holds no tokenwarden binary"
  exit 2
fi
chmod +x "$bin"
echo "bin=$bin" >>"$out"
