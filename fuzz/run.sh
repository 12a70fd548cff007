#!/usr/bin/env bash
# A bounded fuzzing run over every target: `fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]`
# (default 30 s each, all targets). Installs cargo-fuzz if it is missing, seeds the corpora
# from testdata/ (fuzz/seed.sh), and stops at the first crash with its reproducer in
# fuzz/artifacts/<target>/. Only the stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it
# accept the -Z flags cargo-fuzz passes (sanitizer, coverage instrumentation).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(loader pipeline equivalence)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
fuzz/seed.sh
cargo fuzz build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s"
  # -rss_limit_mb: psslint's own limits (alias budget, depth, sizes) must keep every input
  # small; -timeout: no input may take seconds.
  if ! cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 >"$log" 2>&1; then
    grep -E -A12 'panicked|ERROR: libFuzzer|SUMMARY' "$log" | head -60
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/. Reproduce with"
    echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run $target fuzz/artifacts/$target/<file>"
    echo "then minimise it into tests/fuzz_regressions/ (see the README there)."
    exit 1
  fi
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb|cov: ' "$log" | tail -3
done
