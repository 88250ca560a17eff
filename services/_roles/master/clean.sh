#!/usr/bin/env bash
# Cleans a master: kubeadm reset -f (which also removes this member from
# etcd), the CNI configuration, kubelet stopped. Idempotent. paiplan does not
# drain the node nor delete its Node object yet: `kubectl drain` it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
reset_node
