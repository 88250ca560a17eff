#!/usr/bin/env bash
# Demo refresh: records the call and the rendered file's checksum; no cluster needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
svc="${PAIPLAN_SERVICE:-demo-app}"
out="${PAIPLAN_WORKSPACE:-.}/demo-output"
mkdir -p "$out"
sum="$(sha256sum demo-app.yaml | cut -c1-12)"
echo "refresh $svc $sum" >> "$out/$svc.log"
echo "$svc: refresh (rendered demo-app.yaml $sum)"
