#!/usr/bin/env bash
# Resource bounds: psslint's peak memory and wall time on a manifest stream of at least 1 GB,
# generated here (never committed) under target/resource-bounds/. Prints a Markdown table like
# the one in BENCHMARKS.md ("Resource bounds").
#
#   scripts/resource-bounds.sh            # 1 GiB
#   scripts/resource-bounds.sh 2048       # 2 GiB
#   PSSLINT_BIN=path/to/psslint scripts/resource-bounds.sh   # another build
#
# Needs Rust and python3 (the runner that measures the child with wait4). Takes a few minutes
# and about twice the stream's size in disk space (the file, and the spool of the stdin run).
set -euo pipefail
cd "$(dirname "$0")/.."

mib=${1:-1024}
dir=target/resource-bounds
mkdir -p "$dir"

if [ -z "${PSSLINT_BIN:-}" ]; then
  cargo build --release --locked --quiet
  PSSLINT_BIN=target/release/psslint
fi

# One block of documents: a restricted-compliant Deployment, a Service and a ConfigMap; the
# "findings" variant turns one Deployment in each MiB privileged.
clean_block() {
  cat <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
      - name: web
        image: registry.example.com/web:1.2.3
        ports:
        - containerPort: 8080
        resources:
          limits: {cpu: 500m, memory: 256Mi}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  app.properties: |
    server.port=8080
    feature.a=true
    feature.b=false
    log.level=info
---
EOF
}

generate() { # name, privileged-per-MiB (0 or 1)
  local out="$dir/$1.yaml" mib_chunk="$dir/$1.chunk"
  if [ -f "$out" ] && [ "$(stat -c %s "$out")" -ge $((mib * 1024 * 1024 - 4096)) ]; then
    return
  fi
  : >"$mib_chunk"
  local block size=0
  block=$(clean_block)
  while [ "$size" -lt $((1024 * 1024 - 1024)) ]; do
    printf '%s\n' "$block" >>"$mib_chunk"
    size=$(stat -c %s "$mib_chunk")
  done
  if [ "$2" = 1 ]; then
    sed -i '0,/allowPrivilegeEscalation: false/s//privileged: true/' "$mib_chunk"
  fi
  for ((i = 0; i < mib; i++)); do cat "$mib_chunk"; done >"$out"
  rm -f "$mib_chunk"
}

generate clean 0
generate findings 1

# Runs psslint, reports wall time and peak RSS (ru_maxrss from wait4: the child alone).
measure() { # label, stdin file or "", args...
  local label=$1 input=$2
  shift 2
  python3 - "$label" "$input" "$@" <<'EOF'
import os, subprocess, sys, time
label, stdin_path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
start = time.monotonic()
child = subprocess.Popen(args, stdin=stdin, stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
wall = time.monotonic() - start
code = os.waitstatus_to_exitcode(status)
size = os.path.getsize(args[-1] if not stdin_path else stdin_path)
print(f"| {label} | {size / 1e9:.2f} GB | {wall:.1f} s | {size / 1e6 / wall:.0f} MB/s "
      f"| {usage.ru_maxrss / 1024:.0f} MiB | {usage.ru_utime + usage.ru_stime:.1f} s | {code} |")
EOF
}

echo "| input | size | wall | throughput | peak RSS | CPU (all threads) | exit |"
echo "|---|--:|--:|--:|--:|--:|--:|"
flags=(--max-file-size 4G --format json --fail-on never)
measure "clean stream, file" "" "$PSSLINT_BIN" "${flags[@]}" "$dir/clean.yaml"
measure "clean stream, stdin (spooled)" "$dir/clean.yaml" "$PSSLINT_BIN" "${flags[@]}" -
measure "privileged Deployment per MiB, file" "" "$PSSLINT_BIN" "${flags[@]}" "$dir/findings.yaml"
measure "clean stream, --output junit=…" "" "$PSSLINT_BIN" "${flags[@]}" --output junit=/dev/null "$dir/clean.yaml"
echo
echo "$(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); psslint $("$PSSLINT_BIN" --version | cut -d' ' -f2)"
