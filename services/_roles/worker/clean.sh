#!/usr/bin/env bash
# Cleans a worker node: removes what bootstrap.sh wrote under ${PAIPLAN_NODE_ROOT:-/}.
# Idempotent. Stops kubelet only when PAIPLAN_REAL_INSTALL=1.
set -euo pipefail
root="${PAIPLAN_NODE_ROOT:-/}"
echo "clean ${PAIPLAN_ROLE:-worker} node ${PAIPLAN_HOSTNAME:-$(hostname)} under $root"
if [ "${PAIPLAN_REAL_INSTALL:-0}" = 1 ]; then
  systemctl disable --now kubelet || true
fi
# Only paiplan's own directory: data directories of services are left alone.
rm -rf "${root%/}/etc/paiplan"
echo "clean done"
