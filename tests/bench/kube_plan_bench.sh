#!/bin/bash
# Benchmark (not a test): the real `paiplan plan` of N machines (default
# 10,000) against the Kubernetes API test server with the same N nodes
# registered, so label.* of every machine is observed with one paginated LIST
# and config.cluster with one GET. Complements kube_bench.sh, which times the
# client's LIST and diff alone.
#
#   tests/bench/kube_plan_bench.sh BUILD_DIR [MACHINES] [SERVICES] [RUNS]
#
# The workspace comes from examples/gen_layout.py --transport local --kube
# (node.* is observed from local directories, no SSH), its ./kubeconfig is the
# test server's. Each run is timed with /usr/bin/time -v (wall, peak RSS of
# paiplan). Prints the plan's summary line and the server's request counters.
# Needs /usr/bin/time, python3, openssl. KEEP=1 keeps the temporary directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: kube_plan_bench.sh BUILD_DIR [MACHINES] [SERVICES] [RUNS]}
machines=${2:-10000}
services=${3:-20}
runs=${4:-3}
bin=$build/paiplan
[ -x "$bin" ] || { echo "no paiplan in $build: cmake --build $build --target paiplan" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "install the 'time' package (apt-get install time)" >&2; exit 1; }
dir=$(mktemp -d /tmp/paiplan-kube-plan-bench-XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$dir"; else echo "kept $dir"; fi
}
trap cleanup EXIT

python3 "$root/examples/gen_layout.py" --machines "$machines" --services "$services" \
  --transport local --kube --out "$dir/ws" >/dev/null
# The node names gen_layout.py gives the machines (nodename: 127.x.y.z).
python3 - "$machines" > "$dir/nodes" <<'PY'
import sys
def ip_of(i):
    n = i + 10
    return '127.%d.%d.%d' % ((n >> 16) & 255, (n >> 8) & 255, n & 255)
print(','.join(ip_of(i) for i in range(int(sys.argv[1]))))
PY
"$root/tests/kube/serve" --dir "$dir/kube" --nodes "$(cat "$dir/nodes")" >"$dir/serve.out" 2>&1 &
server=$!
for _ in $(seq 1200); do [ -f "$dir/kube/kubeconfig" ] && break; sleep 0.1; done
[ -f "$dir/kube/kubeconfig" ] || { echo "test server did not start:"; cat "$dir/serve.out"; exit 1; }
cp "$dir/kube/kubeconfig" "$dir/ws/kubeconfig"
admin=$(cat "$dir/kube/admin-url")

echo "paiplan plan: $machines machines, $services services, $machines nodes registered"
for run in $(seq "$runs"); do
  curl -s -X POST "$admin/reset-stats" >/dev/null
  rc=0
  /usr/bin/time -v "$bin" -C "$dir/ws" --no-color plan >"$dir/plan.$run" 2>"$dir/time.$run" || rc=$?
  echo "  run $run: exit $rc; $(grep -E '^Plan:' "$dir/plan.$run" || tail -1 "$dir/plan.$run")"
  grep -E "Maximum resident set size|Elapsed \(wall clock\)|User time|System time" "$dir/time.$run" \
    | sed 's/^\s*/    /'
  echo "    server: $(curl -s "$admin/stats")"
done
