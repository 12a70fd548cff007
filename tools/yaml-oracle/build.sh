#!/usr/bin/env bash
# Builds the YAML oracle (main.go) into $1 (default: target/yaml-oracle) from Debian's Go
# packages, offline: golang-go, golang-gopkg-yaml.v2-dev (go-yaml v2.4.0) and
# golang-k8s-sigs-yaml-dev (sigs.k8s.io/yaml 1.3.0), in GOPATH mode over /usr/share/gocode.
# `--install` first installs those packages with apt-get (as root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "${1:-}" = "--install" ]; then
  shift
  if ! command -v go >/dev/null 2>&1 || [ ! -d /usr/share/gocode/src/sigs.k8s.io/yaml ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      golang-go golang-gopkg-yaml.v2-dev golang-k8s-sigs-yaml-dev >/dev/null
  fi
fi
out="${1:-$here/../../target/yaml-oracle}"
mkdir -p "$(dirname "$out")"
cache="${GOCACHE:-$(dirname "$out")/go-cache}"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache" GOFLAGS= GOPROXY=off \
  go build -o "$out" "$here/main.go"
