#!/usr/bin/env bash
# Cleans a worker: kubeadm reset -f, the CNI configuration removed, kubelet
# stopped. paiplan drains the node and
# deletes the Node object around this script. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
reset_node
