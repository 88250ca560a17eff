#!/usr/bin/env bash
# Demo stop: records the call and the rendered file's checksum; no cluster needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
svc="${PAIPLAN_SERVICE:-demo-config}"
out="${PAIPLAN_WORKSPACE:-.}/demo-output"
mkdir -p "$out"
sum="$(sha256sum demo-config.yaml | cut -c1-12)"
echo "stop $svc $sum" >> "$out/$svc.log"
echo "$svc: stop (rendered demo-config.yaml $sum)"
