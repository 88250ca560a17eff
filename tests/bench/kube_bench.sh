#!/bin/bash
# Benchmark: observe the labels of N nodes (default 10,000) with one paginated
# LIST against the Kubernetes API test server and compute the label diff.
#   tests/bench/kube_bench.sh BUILD_DIR [NODES] [PAGE_SIZE]
# Needs the kube_bench target: cmake --build BUILD_DIR --target kube_bench
set -euo pipefail
build=${1:?usage: kube_bench.sh BUILD_DIR [NODES] [PAGE_SIZE]}
nodes=${2:-10000}
page=${3:-500}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/paiplan-kube-bench-XXXXXX)
"$here/../kube/serve" --dir "$dir" --node-count "$nodes" --node-prefix node >"$dir/serve.out" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 600); do [ -f "$dir/kubeconfig" ] && break; sleep 0.1; done
[ -f "$dir/kubeconfig" ] || { echo "test server did not start:"; cat "$dir/serve.out"; exit 1; }
for run in 1 2 3; do
  /usr/bin/time -v "$build/tests/kube_bench" "$dir/kubeconfig" "$page" 2>"$dir/time.$run"
  grep -E "Maximum resident set size|Elapsed \(wall clock\)|User time|System time" "$dir/time.$run" | sed 's/^\s*/    /'
done
curl -s "$(cat "$dir/admin-url")/stats"; echo
