#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Cleans a worker: kubeadm reset -f, the CNI configuration removed, kubelet
# stopped. Idempotent. paiplan drains the Node before (through the API) and
# deletes the Node object after.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
reset_node
