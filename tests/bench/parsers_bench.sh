#!/bin/bash
# Benchmark (not a test): what OpenPAI config parsers cost a plan, and what
# the input-hash cache saves. On a copy of tests/testdata/openpai (3 parsers,
# one translated from Python 2 by lib2to3), times `paiplan plan`:
#   cold  — the cache file removed before each plan (python3 runs every time)
#   cached — the cache kept (a no-op plan: no python3)
#   no parsers — the same tree with the three parsers removed (merge only)
#
#   tests/bench/parsers_bench.sh [BUILD_DIR]      RUNS=N (default 10)
# Prints a Markdown table of wall-clock medians.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build}/paiplan
[ -x "$bin" ] || { echo "no paiplan binary ($bin)" >&2; exit 1; }
runs=${RUNS:-10}
work=$(mktemp -d /tmp/pp_parsers_bench_XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$root/tests/testdata/openpai" "$work/ws"
cp -r "$root/tests/testdata/openpai" "$work/plain"
rm "$work"/plain/src/*/config/*.py
export NO_COLOR=1 HOME=$work
unset KUBECONFIG
"$bin" -C "$work/ws" init > /dev/null 2>&1
"$bin" -C "$work/plain" init > /dev/null 2>&1

# median wall time in ms of `plan` on $1, running $2 before each run
measure() {
  local ws=$1 before=$2 times=()
  for _ in $(seq "$runs"); do
    eval "$before"
    local t0 t1
    t0=$(date +%s%N)
    "$bin" -C "$ws" plan > /dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

cold=$(measure "$work/ws" "rm -f $work/ws/.paiplan/cache/config-parsers.json")
cached=$(measure "$work/ws" ":")
plain=$(measure "$work/plain" ":")
echo "| plan of tests/testdata/openpai (4 services, 3 machines) | median wall ms ($runs runs) |"
echo "|---|---|"
echo "| parsers run (cache removed before each plan) | $cold |"
echo "| parsers cached (no-op plan, no python3) | $cached |"
echo "| no parsers (defaults merged) | $plain |"
