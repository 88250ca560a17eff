#!/bin/bash
# Benchmark (not a test): a no-op `paiplan plan` of native services' Kubernetes
# objects (object.* resources) against the API test server with NODES nodes
# registered. Shows that observation costs one LIST per (kind, namespace),
# not a request per object or per node.
#
#   tests/bench/objects_plan_bench.sh BUILD_DIR [NODES] [SERVICES] [RUNS]
#
# The workspace is examples/local (3 machines) plus SERVICES copies of the
# native test service tests/drift/testdata/web (5 objects each: ConfigMap,
# Secret, PVC, Deployment, DaemonSet; each copy in its own names). With
# SERVICES=catalogue it is instead the whole built-in catalogue as
# examples/cluster enables it (two native services, the others scripted:
# their scripts run the real kubectl; paiplan observes their objects). It is
# applied once, then planned RUNS times; each plan is timed with
# /usr/bin/time -v and the server's request counters are printed.
# Needs /usr/bin/time, python3, openssl, curl (and kubectl for the catalogue).
# KEEP=1 keeps the temporary directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: objects_plan_bench.sh BUILD_DIR [NODES] [SERVICES] [RUNS]}
nodes=${2:-1000}
services=${3:-20}
runs=${4:-3}
bin=$build/paiplan
[ -x "$bin" ] || { echo "no paiplan in $build: cmake --build $build --target paiplan" >&2; exit 1; }
dir=$(mktemp -d /tmp/paiplan-objects-bench-XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$dir"; else echo "kept $dir"; fi
}
trap cleanup EXIT

cp -r "$root/examples/local" "$dir/ws"
rm -rf "$dir/ws/.paiplan"
if [ "$services" = catalogue ]; then
  # examples/cluster's enabled services and configuration on examples/local's machines.
  python3 - "$root/examples/cluster/paiplan.yaml" "$dir/ws/paiplan.yaml" <<'PY'
import sys
cluster, ws = open(sys.argv[1]).read(), open(sys.argv[2]).read()
part = lambda t: t[t.index("enabled-services:"):t.index("\nparallelism:") + 1]
open(sys.argv[2], "w").write(ws.replace(part(ws), part(cluster)))
PY
  cp "$root/examples/cluster/services-configuration.yaml" "$dir/ws/services-configuration.yaml"
  services=0
fi
for i in $(seq -w 1 "$services"); do
  svc="web$i"
  mkdir -p "$dir/ws/services/$svc/deploy"
  sed 's/^ready-timeout: 20$/ready-timeout: 60/' "$root/tests/drift/testdata/web/deploy/service.yaml" \
    > "$dir/ws/services/$svc/deploy/service.yaml"
  sed -e "s/name: web/name: $svc/" -e "s/app: web/app: $svc/g" \
    "$root/tests/drift/testdata/web/deploy/web.yaml.template" > "$dir/ws/services/$svc/deploy/web.yaml.template"
  sed -i "s/^enabled-services:\$/&\\n  - $svc/" "$dir/ws/paiplan.yaml"
done
# The three machines of examples/local plus NODES-3 more nodes.
names="127.0.0.11,127.0.0.21,127.0.0.22"
"$root/tests/kube/serve" --dir "$dir/kube" --nodes "$names" --node-count "$((nodes - 3))" \
  --ready-delay 0.05 >"$dir/serve.out" 2>&1 &
server=$!
for _ in $(seq 1200); do [ -f "$dir/kube/kubeconfig" ] && break; sleep 0.1; done
[ -f "$dir/kube/kubeconfig" ] || { echo "test server did not start:"; cat "$dir/serve.out"; exit 1; }
printf 'kubernetes:\n  kubeconfig: %s\n' "$dir/kube/kubeconfig" >> "$dir/ws/paiplan.yaml"
admin=$(cat "$dir/kube/admin-url")
"$bin" -C "$dir/ws" --no-color apply --auto-approve >"$dir/apply.out" 2>&1 || { tail -30 "$dir/apply.out"; exit 1; }
objects=$("$bin" -C "$dir/ws" --no-color state list | grep -c '^object\.' || true)
echo "no-op paiplan plan: $(grep -c '^  - ' "$dir/ws/paiplan.yaml") services, $objects objects recorded, $nodes nodes registered"
for run in $(seq "$runs"); do
  curl -s -X POST "$admin/reset-stats" >/dev/null
  rc=0
  /usr/bin/time -v "$bin" -C "$dir/ws" --no-color plan --detailed-exitcode >"$dir/plan.$run" 2>"$dir/time.$run" || rc=$?
  echo "  run $run: exit $rc; $(grep -E '^(Plan:|No changes)' "$dir/plan.$run" || tail -1 "$dir/plan.$run")"
  grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$dir/time.$run" | sed 's/^\s*/    /'
  echo "    server: $(curl -s "$admin/stats")"
done
