#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Cleans a master: kubeadm reset -f (which also removes this member from
# etcd when it can reach it), the CNI configuration, kubelet stopped.
# Idempotent. paiplan drains the Node before (through the API), then makes
# sure the member left etcd (leave-etcd.sh on a remaining master) and deletes
# the Node object.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
reset_node
