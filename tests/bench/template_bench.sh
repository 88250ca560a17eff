#!/usr/bin/env bash
# Render throughput over the template conformance corpus: our renderer vs
# Python Jinja2 (same cases, each parsed once and rendered REPS times).
# Usage: tests/bench/template_bench.sh [BUILD_DIR] [REPS] [CASE_NAME_PREFIX]
# (prefix "real_" = only the realistic OpenPAI-like templates)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build-bench}"
reps="${2:-2000}"
prefix="${3:-}"
corpus="$root/tests/template/corpus"
if [[ ! -x "$build/tests/template_bench" ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  make -C "$build" pp_base/fast pp_template/fast template_bench/fast -j2 >/dev/null
fi
ours="$("$build/tests/template_bench" "$corpus" "$reps" "$prefix")"
py="$(/usr/bin/python3 "$root/tests/template/render_corpus.py" "$corpus" --bench "$reps" "$prefix")"
/usr/bin/python3 - "$ours" "$py" <<'PY'
import json, sys
ours, py = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def rate(r): return r["renders"] / r["seconds"]
print("| renderer | cases | renders | seconds | renders/s |")
print("| --- | ---: | ---: | ---: | ---: |")
print("| paiplan tmpl (C++) | %d | %d | %.3f | %.0f |" % (ours["cases"], ours["renders"], ours["seconds"], rate(ours)))
print("| Python Jinja2 3.1 | %d | %d | %.3f | %.0f |" % (py["cases"], py["renders"], py["seconds"], rate(py)))
print("\nspeed-up: %.1fx" % (rate(ours) / rate(py)))
PY
