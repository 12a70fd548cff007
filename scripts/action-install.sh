#!/usr/bin/env bash
# The install steps of the GitHub Action (action.yml). The binary goes to $PSSLINT_HOME/bin
# (default ~/.psslint/bin), which the action caches by the key below and puts on PATH.
#
#   action-install.sh key      writes `key=…` to $GITHUB_OUTPUT: the cache key of the binary,
#                              from INPUT_VERSION, or else a hash of this repository's source
#                              (hashFiles() cannot read the action's own directory)
#   action-install.sh install  installs psslint, the fastest way there is:
#                              1. a prebuilt release binary, when scripts/release-checksums.txt
#                                 lists one for this platform and the version asked for (or,
#                                 with no version, for this action's exact source): downloaded
#                                 from the release and checked against that SHA-256, committed
#                                 here, so a tampered download is refused;
#                              2. otherwise built with cargo: `cargo install psslint --version
#                                 INPUT_VERSION` from crates.io, or this repository's source at
#                                 the action's ref (a release build: about three minutes of CPU
#                                 time).
#   action-install.sh source-hash   prints the source hash (for scripts/release-checksums.txt)
#   action-install.sh target        prints this platform's release target (e.g.
#                                   x86_64-unknown-linux-musl)
#
# Environment (besides INPUT_VERSION and GitHub's RUNNER_*, GITHUB_*):
#   PSSLINT_HOME              where bin/psslint goes (default ~/.psslint)
#   PSSLINT_RELEASES_URL      base URL of the release downloads (default the GitHub releases
#                             of this repository; a mirror, or file:// in tests)
#   PSSLINT_CHECKSUMS         the checksum list (default scripts/release-checksums.txt)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${INPUT_VERSION:-}
version=${version#v}
outputs=${GITHUB_OUTPUT:-/dev/null}
home=${PSSLINT_HOME:-$HOME/.psslint}
releases=${PSSLINT_RELEASES_URL:-https://github.com/psslint/psslint/releases/download}
checksums=${PSSLINT_CHECKSUMS:-$root/scripts/release-checksums.txt}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

fail() {
  echo "::error title=psslint action::$1"
  exit 2
}

# Every file that goes into the binary, in a stable order.
source_hash() {
  (cd "$root" && find Cargo.toml Cargo.lock src rules -type f -print | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256 | cut -c1-32)
}

# The release target of this runner: RUNNER_OS/RUNNER_ARCH on GitHub, uname elsewhere.
release_target() {
  local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
  case "$arch" in
    X64 | x86_64 | amd64) arch=x86_64 ;;
    ARM64 | aarch64 | arm64) arch=aarch64 ;;
    *) echo "unknown"; return ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    macOS | Darwin) echo "$arch-apple-darwin" ;;
    Windows | MINGW* | MSYS* | CYGWIN*) echo "$arch-pc-windows-msvc" ;;
    *) echo "unknown" ;;
  esac
}

# The checksum line for a release binary: `VERSION SOURCE_HASH TARGET SHA256` where the first
# field is $1 (a version) or the second is $2 (a source hash), for target $3.
release_line() {
  [ -f "$checksums" ] || return 0
  awk -v version="$1" -v hash="$2" -v target="$3" '
    /^[[:space:]]*(#|$)/ { next }
    $3 == target && ((version != "" && $1 == version) || (hash != "" && $2 == hash)) { print; exit }
  ' "$checksums"
}

# Downloads and checks the release binary of line "$@"; installs it into $home/bin.
install_release() {
  local release=$1 target=$3 expected=$4 archive url
  case "$target" in
    *windows*) archive="psslint-$release-$target.zip" ;;
    *) archive="psslint-$release-$target.tar.gz" ;;
  esac
  url="$releases/v$release/$archive"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "psslint: downloading $url"
  curl --fail --silent --show-error --location --retry 3 --output "$tmp/$archive" "$url" ||
    fail "cannot download $url"
  local actual
  actual=$(sha256 "$tmp/$archive" | cut -d' ' -f1)
  if [ "$actual" != "$expected" ]; then
    fail "$archive: SHA-256 $actual, expected $expected (scripts/release-checksums.txt); refusing it"
  fi
  mkdir -p "$tmp/x" "$home/bin"
  case "$archive" in
    *.zip) unzip -q "$tmp/$archive" -d "$tmp/x" ;;
    *) tar -xzf "$tmp/$archive" -C "$tmp/x" ;;
  esac
  local bin
  bin=$(find "$tmp/x" -type f \( -name psslint -o -name psslint.exe \) | head -n 1)
  [ -n "$bin" ] || fail "$archive holds no psslint binary"
  cp "$bin" "$home/bin/"
  chmod +x "$home/bin/$(basename "$bin")"
}

install_with_cargo() {
  command -v cargo >/dev/null 2>&1 ||
    fail "cargo not found: use a runner with Rust (GitHub-hosted ones have it), add a Rust toolchain step first, or pick a version with a prebuilt binary"
  if [ -n "$version" ]; then
    cargo install --locked --force --root "$home" psslint --version "$version"
  else
    cargo install --locked --force --root "$home" --path "$root"
  fi
}

case "${1:-}" in
  key)
    platform="${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}"
    if [ -n "$version" ]; then
      key="psslint-$platform-crates-$version"
    else
      key="psslint-$platform-source-$(source_hash)"
    fi
    echo "key=$key" >>"$outputs"
    echo "$key"
    ;;
  source-hash)
    source_hash
    exit 0
    ;;
  target)
    release_target
    exit 0
    ;;
  install)
    target=$(release_target)
    if [ -n "$version" ]; then
      line=$(release_line "$version" "" "$target")
    else
      line=$(release_line "" "$(source_hash)" "$target")
    fi
    if [ -n "$line" ]; then
      # shellcheck disable=SC2086
      install_release $line
    else
      install_with_cargo
    fi
    "$home/bin/psslint" --version
    ;;
  *)
    echo "usage: $0 key|install|source-hash|target" >&2
    exit 2
    ;;
esac
# Cached, downloaded or freshly built, the binary is here.
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$home/bin" >>"$GITHUB_PATH"
fi
