#!/usr/bin/env bash
# Demo bootstrap: writes the rendered node.env into the node's directory and
# records the call. Never touches the real system.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="${PAIPLAN_NODE_ROOT:-$PWD}"
mkdir -p "$root/etc"
cp node.env "$root/etc/node.env"
echo "bootstrapped ${PAIPLAN_ROLE:-?} node ${PAIPLAN_HOSTNAME:-?} at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$root/bootstrap.log"
echo "node ${PAIPLAN_HOSTNAME:-?} ready"
