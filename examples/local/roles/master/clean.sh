#!/usr/bin/env bash
# Demo clean: removes what bootstrap.sh wrote.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="${PAIPLAN_NODE_ROOT:-$PWD}"
case "$root" in "" | /) echo "refusing to clean root '$root'" >&2; exit 1 ;; esac
rm -rf "${root:?}/etc" "$root/bootstrap.log"
echo "node ${PAIPLAN_HOSTNAME:-?} cleaned"
