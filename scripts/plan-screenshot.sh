#!/usr/bin/env bash
# Regenerates docs/plan.png, the README's picture of the HTML plan of testdata/rollout, with
# Debian's headless chromium (apt-get install chromium). Run from anywhere after `cargo build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root/testdata/rollout" &&
  "$root/target/debug/psslint" plan --admission-config admission.yaml --today 2026-03-20 \
    --format html -o "$work/plan.html" .)
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=1280,1100 \
  --screenshot="$root/docs/plan.png" "file://$work/plan.html#ns=shop" 2>/dev/null
echo "wrote docs/plan.png"
