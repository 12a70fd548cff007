#!/usr/bin/env bash
# Byte-for-byte behaviour check: record what a psslint binary prints on a fixed set of runs,
# then compare two recordings.
#
#   scripts/compare-outputs.sh record BINARY OUTDIR   # run BINARY on every case, write OUTDIR
#   scripts/compare-outputs.sh compare DIR_A DIR_B    # exit 1 on any difference (a diff is shown)
#   scripts/compare-outputs.sh check BINARY BASELINE  # record into a temporary directory, compare
#
# The cases: one run per project of ../shared/corpus and per directory of testdata/ in every
# check format (json, sarif, junit, human with --color never, concise, github, markdown), plus
# --level/--statistics/--quiet/--output/stdin variants, the rollout fixture's config and
# admission configuration, `plan`, `notices`, `exceptions`, `rules` and a few usage errors.
# Each case records its command line, stdout, stderr, exit code and any file it writes.
#
# Runs are reproducible whatever the worktree: the inputs are copied to a fixed staging tree
# ($PSSLINT_COMPARE_STAGE, default /tmp/psslint-compare: repo/testdata and shared/corpus, with
# repo/ a git repository of its own), every run starts in repo/ (or a fixed subdirectory) with
# a fixed --today, a scrubbed environment and no config but the one a case names. A lock file
# serialises helpers that share the stage. Without ../shared, corpus cases are SKIPPED (said).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
stage="${PSSLINT_COMPARE_STAGE:-/tmp/psslint-compare}"
today=2026-03-20
check_formats=(json sarif junit human concise github markdown)

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Copy the inputs to the stage (fresh each time, so a case cannot see another's leftovers).
stage_inputs() {
  rm -rf "$stage/repo" "$stage/shared"
  mkdir -p "$stage/repo" "$stage/shared"
  cp -R "$here/testdata" "$stage/repo/testdata"
  git -C "$stage/repo" init -q
  if [ -d "$here/../shared/corpus" ]; then
    cp -R "$here/../shared/corpus" "$stage/shared/corpus"
  else
    echo "SKIPPED: ../shared/corpus is missing; corpus cases are not recorded" >&2
  fi
}

# run NAME DIR [ARGS...]: run the binary in $stage/repo/DIR with ARGS; record under $out/NAME.
# Files the run writes into $stage/outputs are recorded as NAME/files/*.
run() {
  local name="$1" dir="$2"
  shift 2
  local dest="$out/$name"
  mkdir -p "$dest"
  rm -rf "$stage/outputs"
  mkdir -p "$stage/outputs"
  printf '%q ' "$@" >"$dest/cmd"
  printf '\n(in %s)\n' "$dir" >>"$dest/cmd"
  local rc=0
  (
    cd "$stage/repo/$dir"
    exec env -i PATH="$PATH" HOME="$stage" LC_ALL=C TERM=dumb "$bin" "$@"
  ) <"${STDIN:-/dev/null}" >"$dest/stdout" 2>"$dest/stderr" || rc=$?
  echo "$rc" >"$dest/rc"
  if [ -n "$(ls -A "$stage/outputs")" ]; then
    cp -R "$stage/outputs" "$dest/files"
  fi
}

check_all_formats() {
  local name="$1" dir="$2"
  shift 2
  local f extra
  for f in "${check_formats[@]}"; do
    extra=()
    [ "$f" = human ] && extra=(--color never)
    run "$name.$f" "$dir" --today "$today" --format "$f" "${extra[@]}" "$@"
  done
}

record() {
  bin="$(realpath "$1")"
  out="$2"
  [ -x "$bin" ] || { echo "not an executable: $1" >&2; exit 2; }
  rm -rf "$out"
  mkdir -p "$out" "$stage"
  exec 9>"$stage.lock"
  flock 9
  stage_inputs
  "$bin" --version >"$out/version" 2>&1 || true

  # testdata: each directory, as a whole, then the whole tree once more.
  local d
  for d in "$stage"/repo/testdata/*/; do
    d="$(basename "$d")"
    check_all_formats "testdata-$d" . --no-config "testdata/$d"
  done
  check_all_formats testdata-all . --no-config testdata
  check_all_formats testdata-restricted . --no-config --level restricted --pss-version v1.25 testdata
  run testdata-statistics . --today "$today" --no-config --color never --statistics testdata
  run testdata-quiet . --today "$today" --no-config --color never --quiet testdata
  run testdata-fail-on-warning . --today "$today" --no-config --fail-on warning --format concise testdata/examples
  run testdata-fail-on-never . --today "$today" --no-config --fail-on never --format concise testdata/examples
  run testdata-outputs . --today "$today" --no-config --format concise \
    -o sarif="$stage/outputs/report.sarif" -o junit="$stage/outputs/report.xml" \
    -o markdown="$stage/outputs/report.md" testdata/examples testdata/helm
  run testdata-threads-1 . --today "$today" --no-config --threads 1 --format json testdata
  run testdata-no-fast-path . --today "$today" --no-config --no-fast-path --format json testdata
  STDIN="$stage/repo/testdata/examples/web.yaml" run stdin . --today "$today" --no-config --color never -
  STDIN="$stage/repo/testdata/helm/rendered.yaml" run stdin-json . --today "$today" --no-config --format json -

  # The rollout fixture: its psslint.yaml (found upward), its admission configuration.
  check_all_formats rollout testdata/rollout --admission-config admission.yaml .
  check_all_formats rollout-config . --config testdata/policy/psslint.yaml testdata/rollout
  local f
  for f in human markdown json; do
    run "rollout-exceptions.$f" testdata/rollout exceptions --today "$today" \
      --admission-config admission.yaml --format "$f" .
  done
  for f in human json markdown html; do
    run "rollout-plan.$f" testdata/rollout plan --today "$today" \
      --admission-config admission.yaml --format "$f" .
  done
  run rollout-plan-target testdata/rollout plan --today "$today" \
    --admission-config admission.yaml --target baseline:v1.30 --from-version v1.25 .
  for f in markdown json; do
    run "rollout-notices.$f" testdata/rollout notices --today "$today" \
      --admission-config admission.yaml --deadline 2026-06-30 --contact platform@example.com \
      --format "$f" .
  done
  run rollout-notices-dir testdata/rollout notices --today "$today" \
    --admission-config admission.yaml --deadline 2026-06-30 --contact platform@example.com \
    --group-by label:team --out-dir "$stage/outputs/notices" .

  # Other subcommands and usage errors.
  run rules . rules
  run rule-privileged . rule privileged
  run rule-unknown . rule no-such-rule
  run missing-path . --today "$today" --no-config --format json testdata/examples no/such/path
  run bad-flag . --level Baseline testdata
  run bad-config . --today "$today" --config testdata/rollout/apps/shop.yaml testdata/examples
  run help . --help

  # The corpus: one run per project, then the whole corpus (its walk and cross-file namespaces).
  if [ -d "$stage/shared/corpus" ]; then
    local p
    for p in "$stage"/shared/corpus/*/; do
      p="$(basename "$p")"
      check_all_formats "corpus-$p" . --no-config "../shared/corpus/$p"
    done
    check_all_formats corpus-all . --no-config ../shared/corpus
    run corpus-restricted . --today "$today" --no-config --level restricted --format json ../shared/corpus
    run corpus-plan . plan --today "$today" --no-config --format json ../shared/corpus
  fi
  echo "recorded $(find "$out" -name rc | wc -l) runs in $out"
}

compare() {
  local a="$1" b="$2"
  [ -d "$a" ] && [ -d "$b" ] || { echo "compare needs two recorded directories" >&2; exit 2; }
  # The binaries' versions may differ; everything else must not.
  if diff -r -x version "$a" "$b" >"${TMPDIR:-/tmp}/compare-outputs.$$.diff"; then
    rm -f "${TMPDIR:-/tmp}/compare-outputs.$$.diff"
    echo "identical: $(find "$a" -name rc | wc -l) runs, byte for byte"
  else
    head -c 20000 "${TMPDIR:-/tmp}/compare-outputs.$$.diff"
    echo
    echo "DIFFERENT: $(grep -c '^diff \|^Only in' "${TMPDIR:-/tmp}/compare-outputs.$$.diff") files differ" \
      "(full diff: ${TMPDIR:-/tmp}/compare-outputs.$$.diff)" >&2
    exit 1
  fi
}

case "${1:-}" in
  record) [ $# -eq 3 ] || usage; record "$2" "$3" ;;
  compare) [ $# -eq 3 ] || usage; compare "$2" "$3" ;;
  check)
    [ $# -eq 3 ] || usage
    tmp="$(mktemp -d)"
    record "$2" "$tmp/new"
    compare "$3" "$tmp/new"
    rm -rf "$tmp"
    ;;
  *) usage ;;
esac
