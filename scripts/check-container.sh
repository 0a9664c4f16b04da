#!/usr/bin/env bash
# The container image's runtime contract, checked without a Docker engine (none runs on
# the machines this project is built on): the Dockerfile's build stage is a musl build,
# so build the same static binary here, put it alone into an empty root file system (no
# libc, no shell, no git), and run it there as an unprivileged user on a mounted
# repository, as `docker run --user` does. On demand; not part of .ci/run (it needs the
# musl target and musl-tools, and a second release build).
#
#   bash scripts/check-container.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
rustup target list --installed | grep -qx "$target" || rustup target add "$target"
command -v musl-gcc >/dev/null || { echo "needs musl-gcc (apt-get install musl-tools)" >&2; exit 2; }
cargo build --release --locked --target "$target"
bin="target/$target/release/tokenwarden"
file "$bin" | grep -q 'static' || { echo "FAIL: $bin is not statically linked" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/usr/local/bin" "$root/scan" "$root/tmp"
cp "$bin" "$root/usr/local/bin/tokenwarden"
# A repository with a leaked (synthetic) token in its history and a clean HEAD, owned by
# the unprivileged user, as a `docker run --user "$(id -u)"` mount would be.
token=$(python3 -c 'import secrets,string; a=string.ascii_letters+string.digits; print("00"+"".join(secrets.choice(a) for _ in range(40)))')
git -C "$root/scan" init -q
git -C "$root/scan" config user.email t@example.com
git -C "$root/scan" config user.name t
printf 'OKTA_API_TOKEN=%s\n' "$token" >"$root/scan/.env"
git -C "$root/scan" add .env && git -C "$root/scan" commit -qm leak
git -C "$root/scan" rm -q .env && git -C "$root/scan" commit -qm cleanup
printf 'ok\n' >"$root/scan/README.md"
chown -R 10001:10001 "$root/scan" "$root/tmp"

run() { chroot --userspec=10001:10001 "$root" /usr/local/bin/tokenwarden "$@"; }
check() {
    local want=$1; shift
    local code=0
    (cd "$root" && HOME=/tmp run "$@") >"$root/out" 2>&1 || code=$?
    if [ "$code" != "$want" ]; then
        echo "FAIL: tokenwarden $* exited $code, expected $want" >&2
        cat "$root/out" >&2
        exit 1
    fi
    if grep -q "$token" "$root/out"; then
        echo "FAIL: tokenwarden $* printed the raw token" >&2
        exit 1
    fi
    echo "ok: tokenwarden $* -> $code"
}
# The image's defaults: WORKDIR /scan, CMD ["scan", "."].
cd "$root"
check 0 scan /scan
check 1 history /scan
check 1 history --format sarif /scan
check 0 --version
echo "container runtime check passed: static binary, no libc/shell/git, uid 10001"
