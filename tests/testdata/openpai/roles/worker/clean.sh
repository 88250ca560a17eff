#!/usr/bin/env bash
# Test role: undo bootstrap.sh.
set -euo pipefail
rm -f "${PAIPLAN_NODE_ROOT:-$PWD}/bootstrapped"
