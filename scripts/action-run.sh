#!/usr/bin/env bash
# The "Run psslint" step of the GitHub Action (action.yml). It reads the action's inputs from
# INPUT_* variables, which action.yml maps from `${{ inputs.* }}`, so it also runs (and is
# tested) outside GitHub:
#
#   INPUT_PATHS        files or directories, separated by whitespace (default `.`)
#   INPUT_LEVEL        privileged | baseline | restricted: force one enforce level (default:
#                      none, psslint's policy model decides)
#   INPUT_PSS_VERSION  v1.N | latest, with the level (default: none)
#   INPUT_CONFIG       a psslint config file (default: psslint finds psslint.yaml itself)
#   INPUT_FORMAT       the report printed to the log (default github: annotations)
#   INPUT_SARIF_FILE   also write SARIF here (default: none)
#   INPUT_FAIL_ON      error | warning | never (default error)
#
# Writes `errors`, `warnings` and `sarif-file` to $GITHUB_OUTPUT, appends the Markdown summary
# to $GITHUB_STEP_SUMMARY, and exits as psslint does: 0 = pass, 1 = findings at or above
# fail-on, 2 = psslint could not run.
set -euo pipefail

paths=${INPUT_PATHS:-.}
level=${INPUT_LEVEL:-}
pss_version=${INPUT_PSS_VERSION:-}
config=${INPUT_CONFIG:-}
format=${INPUT_FORMAT:-github}
sarif_file=${INPUT_SARIF_FILE:-}
fail_on=${INPUT_FAIL_ON:-error}
outputs=${GITHUB_OUTPUT:-/dev/null}

fail() {
  echo "::error title=psslint action::$1"
  exit 2
}

case "$fail_on" in
  error | warning | never) ;;
  *) fail "fail-on must be error, warning or never, not '$fail_on'" ;;
esac
command -v psslint >/dev/null 2>&1 || fail "psslint is not on PATH (the install step did not run?)"

args=(check --format "$format" --fail-on "$fail_on")
# Only when given: without them psslint judges each workload by its namespace's policy.
if [ -n "$level" ]; then
  args+=(--level "$level")
fi
if [ -n "$pss_version" ]; then
  args+=(--pss-version "$pss_version")
fi
if [ -n "$config" ]; then
  args+=(--config "$config")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The counts come from a JSON report written in the same run (lint once, render many).
args+=(--output "json=$tmp/report.json")
if [ -n "$sarif_file" ]; then
  mkdir -p "$(dirname "$sarif_file")"
  args+=(--output "sarif=$sarif_file")
fi
# A `github` report appends the step summary itself; other formats get it from here.
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ "$format" != github ]; then
  args+=(--output "markdown=$tmp/summary.md")
fi

# Whitespace-separated, no glob expansion: psslint walks directories itself.
set -f
# shellcheck disable=SC2206
path_list=($paths)
set +f

status=0
psslint "${args[@]}" -- "${path_list[@]}" || status=$?

count() {
  # The summary comes first in the JSON report, and no diagnostic has these keys.
  sed -n "s/^ *\"$1\": *\([0-9][0-9]*\).*/\1/p" "$tmp/report.json" 2>/dev/null | head -n 1
}
{
  echo "errors=$(count errors)"
  echo "warnings=$(count warnings)"
  echo "sarif-file=$sarif_file"
} >>"$outputs"

if [ -f "$tmp/summary.md" ]; then
  cat "$tmp/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
