#!/bin/bash
# Regenerates tests/testdata/review/plan.json, the golden plan of the review
# tests: examples/local applied, then changed so the plan holds every action
# (create, update, replace, delete) over several kinds and a changed secret.
# usage: tests/review/make_fixture.sh build/paiplan
set -euo pipefail
bin=$(realpath "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/examples/local" "$tmp/ws"
mkdir "$tmp/home"
export HOME=$tmp/home
unset KUBECONFIG
cd "$tmp/ws"
"$bin" --no-color apply --auto-approve > /dev/null
sed -i 's/busybox:1.36/busybox:1.37/' services/demo-app/deploy/demo-app.yaml.template   # render + service update
sed -i 's/demo-token-value/fixture-api-token-9f8e7d/' services-configuration.yaml     # a secret changes
echo '# v2 of the worker role' >> roles/worker/bootstrap.sh                          # worker nodes replaced
python3 - <<'PY'
import re
t = open('layout.yaml').read()
i = t.index('  - hostname: local-worker-1')
t = t[:i]  # local-worker-1 leaves (delete)
t += '''  - hostname: local-worker-2
    hostip: 127.0.0.23
    machine-type: GPU-SMALL
    nodename: 127.0.0.23
    k8s-role: worker
    transport: local
    pai-worker: "true"
'''
open('layout.yaml', 'w').write(t)
PY
"$bin" --no-color plan -o "$tmp/plan.json" > /dev/null
sed -e "s#$tmp/ws#/workspace#g" -e 's/"created_at": "[^"]*"/"created_at": "2026-01-01T00:00:00Z"/' \
  "$tmp/plan.json" > "$src/tests/testdata/review/plan.json"
echo "wrote $src/tests/testdata/review/plan.json"
