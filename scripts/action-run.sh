#!/usr/bin/env bash
# The "Run psslint" step of the GitHub Action (action.yml). It reads the action's inputs from
# INPUT_* variables, which action.yml maps from `${{ inputs.* }}`, so it also runs (and is
# tested) outside GitHub:
#
#   INPUT_PATHS        files or directories, one per line; a single line is split at
#                      whitespace, quotes grouping ("my dir/k8s") (default `.`)
#   INPUT_LEVEL        privileged | baseline | restricted: force one enforce level (default:
#                      none, psslint's policy model decides)
#   INPUT_PSS_VERSION  v1.N | latest, with the level (default: none)
#   INPUT_CONFIG       a psslint config file (default: psslint finds psslint.yaml itself)
#   INPUT_ADMISSION_CONFIG  the cluster's admission configuration (default: none)
#   INPUT_NAMESPACE    namespace of objects without one (default: psslint's, `default`)
#   INPUT_KUBERNETES   the cluster minor, v1.N (default: none)
#   INPUT_VALUES       Helm values files for the charts, split like INPUT_PATHS
#   INPUT_SET, INPUT_SET_STRING  Helm --set / --set-string KEY=VALUE, one per line
#   INPUT_RELEASE_NAME, INPUT_RENDER_TIMEOUT  --release-name, --render-timeout
#   INPUT_ALLOW_UNCHECKED  true | false (default false)
#   INPUT_ARGS         more psslint arguments, split at whitespace, quotes grouping
#   INPUT_FORMAT       the report printed to the log (default github: annotations)
#   INPUT_SARIF_FILE   also write SARIF here (default: none)
#   INPUT_FAIL_ON      error | warning | never (default error)
#
# Values are never evaluated by a shell: a path or argument is passed to psslint as written.
#
# Writes `errors`, `warnings`, `sarif-file` and `report-file` (the JSON report, in
# $RUNNER_TEMP) to $GITHUB_OUTPUT, appends the Markdown summary
# to $GITHUB_STEP_SUMMARY, and exits as psslint does: 0 = pass, 1 = findings at or above
# fail-on, 2 = psslint could not run.
set -euo pipefail

paths=${INPUT_PATHS:-.}
level=${INPUT_LEVEL:-}
pss_version=${INPUT_PSS_VERSION:-}
config=${INPUT_CONFIG:-}
admission_config=${INPUT_ADMISSION_CONFIG:-}
namespace=${INPUT_NAMESPACE:-}
kubernetes=${INPUT_KUBERNETES:-}
allow_unchecked=${INPUT_ALLOW_UNCHECKED:-false}
extra_args=${INPUT_ARGS:-}
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
case "$allow_unchecked" in
  true | false) ;;
  *) fail "allow-unchecked must be true or false, not '$allow_unchecked'" ;;
esac

# Splits $1 into the array `words`: at whitespace, with quotes and backslashes grouping, as
# xargs reads its input (no expansion of any kind). An unmatched quote is an error. (Plain
# bash 3.2, as on macOS: no namerefs.)
split_words() {
  words=()
  if [ -z "${1//[[:space:]]/}" ]; then
    return 0
  fi
  local split word
  split=$(mktemp)
  if ! printf '%s' "$1" | xargs printf '%s\0' >"$split" 2>"$split.err"; then
    fail "cannot split '$1': $(cat "$split.err")"
  fi
  while IFS= read -r -d '' word; do
    words+=("$word")
  done <"$split"
  rm -f "$split" "$split.err"
}

# Splits $1 into the array `words`: one item per non-blank line (leading and trailing blanks
# dropped, inner ones kept), or, for a single line, as split_words does.
split_lines() {
  case "$1" in
    *$'\n'*)
      words=()
      local line
      while IFS= read -r line; do
        line="${line#"${line%%[![:space:]]*}"}"
        line="${line%"${line##*[![:space:]]}"}"
        if [ -n "$line" ]; then
          words+=("$line")
        fi
      done <<<"$1"
      ;;
    *) split_words "$1" ;;
  esac
}

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
if [ -n "$admission_config" ]; then
  args+=(--admission-config "$admission_config")
fi
if [ -n "$namespace" ]; then
  args+=(--namespace "$namespace")
fi
if [ -n "$kubernetes" ]; then
  args+=(--kubernetes "$kubernetes")
fi
# Charts: each values file, --set and --set-string on its own (a value may hold spaces).
split_lines "${INPUT_VALUES:-}"
for v in ${words[@]+"${words[@]}"}; do
  args+=(--values "$v")
done
for input in SET:--set SET_STRING:--set-string; do
  var="INPUT_${input%%:*}"
  while IFS= read -r line; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [ -n "$line" ]; then
      args+=("${input#*:}" "$line")
    fi
  done <<<"${!var:-}"
done
if [ -n "${INPUT_RELEASE_NAME:-}" ]; then
  args+=(--release-name "$INPUT_RELEASE_NAME")
fi
if [ -n "${INPUT_RENDER_TIMEOUT:-}" ]; then
  args+=(--render-timeout "$INPUT_RENDER_TIMEOUT")
fi
if [ "$allow_unchecked" = true ]; then
  args+=(--allow-unchecked)
fi
split_words "$extra_args"
if [ "${#words[@]}" -gt 0 ]; then
  args+=("${words[@]}")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The counts come from a JSON report written in the same run (lint once, render many). It
# lists every finding, so it stays for later steps (upload it as an artifact), and capped
# reports (SARIF, annotations) name it.
report_file="${RUNNER_TEMP:-$tmp}/psslint-report.json"
args+=(--output "json=$report_file")
if [ -n "$sarif_file" ]; then
  mkdir -p "$(dirname "$sarif_file")"
  args+=(--output "sarif=$sarif_file")
fi
# A `github` report appends the step summary itself; other formats get it from here.
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ "$format" != github ]; then
  args+=(--output "markdown=$tmp/summary.md")
fi

# No glob expansion: psslint walks directories itself.
split_lines "$paths"
if [ "${#words[@]}" -gt 0 ]; then
  path_list=("${words[@]}")
else
  path_list=(.)
fi

status=0
psslint "${args[@]}" -- "${path_list[@]}" || status=$?

count() {
  # The summary comes first in the JSON report, and no diagnostic has these keys.
  sed -n "s/^ *\"$1\": *\([0-9][0-9]*\).*/\1/p" "$report_file" 2>/dev/null | head -n 1
}
{
  echo "errors=$(count errors)"
  echo "warnings=$(count warnings)"
  echo "sarif-file=$sarif_file"
  if [ -n "${RUNNER_TEMP:-}" ]; then
    echo "report-file=$report_file"
  fi
} >>"$outputs"

if [ -f "$tmp/summary.md" ]; then
  cat "$tmp/summary.md" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
