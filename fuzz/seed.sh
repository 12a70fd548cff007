#!/usr/bin/env bash
# Seeds each fuzz target's corpus (fuzz/corpus/<target>/, not committed) from testdata/: every
# manifest, plus the regression inputs under tests/fuzz_regressions/. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
for target in loader pipeline equivalence; do
  dir=fuzz/corpus/$target
  mkdir -p "$dir"
  sources=(testdata)
  [ -d tests/fuzz_regressions ] && sources+=(tests/fuzz_regressions)
  find "${sources[@]}" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.bin' \) |
    while read -r f; do
      cp "$f" "$dir/seed-$(printf '%s' "$f" | tr '/' '_')"
    done
done
