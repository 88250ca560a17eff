#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Bootstraps a worker: preflight, containerd and the pinned Kubernetes
# packages, then `kubeadm join` with the credentials paiplan minted for this
# machine on a healthy master (PAIPLAN_JOIN_*). Idempotent: a machine that
# already joined runs no kubeadm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh

preflight 10250
install_packages
join_cluster "$@"
log "worker bootstrap done (mode $mode)"
