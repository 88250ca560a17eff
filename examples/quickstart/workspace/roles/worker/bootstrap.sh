#!/usr/bin/env bash
# Quickstart role bootstrap. paiplan uploads this package over SSH to
# /var/lib/paiplan/staging on the node and runs it there.
#
# The quickstart's "machines" are sshd processes on this one computer, each in
# its own mount namespace where only /var/lib/paiplan is private. So this
# script writes ONLY under /var/lib/paiplan, and refuses to run where that
# directory is not a mount point (i.e. on a real host by mistake).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root=/var/lib/paiplan
mountpoint -q "$root" || { echo "refusing: $root is not a quickstart node's private mount" >&2; exit 1; }
mkdir -p "$root/etc"
cp node.env "$root/etc/node.env"
echo "bootstrapped ${PAIPLAN_ROLE:-?} node ${PAIPLAN_HOSTNAME:-?}" >> "$root/bootstrap.log"
echo "node ${PAIPLAN_HOSTNAME:-?} (${PAIPLAN_ROLE:-?}) ready: $(grep -c = "$root/etc/node.env") settings in $root/etc/node.env"
