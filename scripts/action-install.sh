#!/usr/bin/env bash
# The install steps of the GitHub Action (action.yml).
#
#   action-install.sh key      writes `key=…` to $GITHUB_OUTPUT: the cache key of the binary,
#                              from INPUT_VERSION, or else a hash of this repository's source
#                              (hashFiles() cannot read the action's own directory)
#   action-install.sh install  builds psslint into ~/.cargo/bin: `cargo install psslint
#                              --version INPUT_VERSION` from crates.io, or else this
#                              repository's source at the action's ref
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
version=${INPUT_VERSION:-}
outputs=${GITHUB_OUTPUT:-/dev/null}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi
}

case "${1:-}" in
  key)
    platform="${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}"
    if [ -n "$version" ]; then
      key="psslint-$platform-crates-$version"
    else
      # Every file that goes into the binary, in a stable order.
      hash=$(cd "$root" && find Cargo.toml Cargo.lock src rules -type f -print | LC_ALL=C sort |
        while IFS= read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256 | cut -c1-32)
      key="psslint-$platform-source-$hash"
    fi
    echo "key=$key" >>"$outputs"
    echo "$key"
    ;;
  install)
    if ! command -v cargo >/dev/null 2>&1; then
      echo "::error title=psslint action::cargo not found: use a runner with Rust (GitHub-hosted ones have it) or add a Rust toolchain step first"
      exit 2
    fi
    if [ -n "$version" ]; then
      cargo install --locked --force --root "$HOME/.cargo" psslint --version "$version"
    else
      cargo install --locked --force --root "$HOME/.cargo" --path "$root"
    fi
    ;;
  *)
    echo "usage: $0 key|install" >&2
    exit 2
    ;;
esac
# Cached or freshly built, the binary is here.
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$HOME/.cargo/bin" >>"$GITHUB_PATH"
fi
