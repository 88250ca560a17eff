#!/usr/bin/env bash
# Quickstart role clean: removes what bootstrap.sh wrote (only under /var/lib/paiplan).
set -euo pipefail
root=/var/lib/paiplan
mountpoint -q "$root" || { echo "refusing: $root is not a quickstart node's private mount" >&2; exit 1; }
rm -rf "${root:?}/etc" "$root/bootstrap.log"
echo "node ${PAIPLAN_HOSTNAME:-?} cleaned"
