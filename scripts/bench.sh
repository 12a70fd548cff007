#!/usr/bin/env bash
# Runs psslint's benchmarks (see BENCHMARKS.md). With no argument: the end-to-end benchmark
# (release binary over ../shared/corpus, a generated monorepo and a big stream, against the
# bare saphyr-parser event floor). `all` also runs the criterion benches (engine, loader).
# Environment: PSSLINT_BENCH_RUNS, PSSLINT_BENCH_SCALE, PSSLINT_BENCH_HUGE_MB, PSSLINT_BENCH_ONLY,
# PSSLINT_BENCH_BIN (see benches/e2e/main.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (timings are noisy when other work runs)" >&2
case "${1:-e2e}" in
  e2e) cargo bench --locked --bench e2e ;;
  all) cargo bench --locked ;;
  *) echo "usage: scripts/bench.sh [e2e|all]" >&2; exit 2 ;;
esac
