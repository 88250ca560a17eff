#!/usr/bin/env bash
# Test role: the node is a local directory; bootstrap only marks it.
set -euo pipefail
echo "bootstrapped ${PAIPLAN_ROLE:-?} ${PAIPLAN_HOSTNAME:-?}" > "${PAIPLAN_NODE_ROOT:-$PWD}/bootstrapped"
