#!/bin/bash
# Benchmark (not a test): wall time, CPU time and peak RSS of `paiplan validate`
# and `paiplan graph > /dev/null` on synthetic workspaces written by
# examples/gen_layout.py (N machines x 30 services).
#
#   tests/bench/validate_bench.sh [BUILD_DIR] [SIZES...]
#   e.g. tests/bench/validate_bench.sh build-validate 1000 10000 50000
#
# Needs /usr/bin/time (Debian package `time`). Prints a Markdown table.
# Target (issue 2): 10,000 machines in under 1 s and 200 MiB.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 50000)
bin=$build/paiplan
[ -x "$bin" ] || { echo "no paiplan binary in $build (cmake --build $build --target paiplan)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "install the 'time' package (apt-get install time)" >&2; exit 1; }
runs=${RUNS:-3}
# A kubeconfig path makes paiplan manage labels and the cluster ConfigMap, so the
# graph has its full size (label.* and config.cluster); validate never reads it.
export KUBECONFIG=/nonexistent/paiplan-bench-kubeconfig
work=$(mktemp -d /tmp/pp_validate_bench_XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "| machines | services | command | wall s (min of $runs) | user+sys s | peak RSS MiB | resources | edges |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  ws=$work/ws-$n
  /usr/bin/python3 "$root/examples/gen_layout.py" --machines "$n" --services 30 --out "$ws" > /dev/null
  counts=$("$bin" --json -C "$ws" validate 2>/dev/null | /usr/bin/python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(d["resources"], d["edges"])')
  for cmd in validate graph; do
    best=""
    for _ in $(seq "$runs"); do
      /usr/bin/time -o "$work/t" -f "%e %U %S %M" "$bin" -C "$ws" $cmd > /dev/null 2>"$work/err" \
        || { cat "$work/err" >&2; exit 1; }
      read -r wall user sys rss < "$work/t"
      if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
        best="$wall $user $sys $rss"
      fi
    done
    read -r wall user sys rss <<< "$best"
    printf "| %s | 30 | %s | %s | %.2f | %.0f | %s | %s |\n" "$n" "$cmd" "$wall" \
      "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc -l)" ${counts}
  done
done
