#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Bootstraps a master. The first master of layout.yaml runs `kubeadm init`
# from kubeadm-init.conf (rendered from layout.yaml) and applies the CNI
# (cni-host-gw.yaml); the others join with --control-plane using the
# credentials paiplan minted for them on a healthy master (PAIPLAN_JOIN_*).
# Idempotent: a machine that already joined runs no kubeadm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh

preflight 6443 2379 2380 10250 10257 10259
install_packages
put_file etc/paiplan/kubeadm-init.conf 0600 < kubeadm-init.conf
put_file etc/paiplan/cni-host-gw.yaml < cni-host-gw.yaml
if [ "$host" = "$FIRST_MASTER" ]; then
  if joined; then
    log "control plane already initialised: kubeadm not run"
  else
    log "kubeadm init (control plane endpoint $CONTROL_PLANE_ENDPOINT)"
    # kubeadm prints the join command with its token, and the certificate key:
    # masked, the log is kept (paiplan mints fresh credentials per joiner).
    act kubeadm init --config "$root/etc/paiplan/kubeadm-init.conf" --upload-certs 2>&1 \
      | sed -E 's/(--token|--certificate-key) [^ ]+/\1 (sensitive)/g; s/^[0-9a-f]{64}$/(sensitive)/'
  fi
  act kubectl --kubeconfig "$root/etc/kubernetes/admin.conf" apply -f "$root/etc/paiplan/cni-host-gw.yaml"
  # The admin kubeconfig goes to paiplan (.paiplan/kubeconfig in the workspace, 0600).
  if [ "$mode" = real ]; then install -m 0600 "$root/etc/kubernetes/admin.conf" ./kubeconfig; fi
  publish control_plane_endpoint "$CONTROL_PLANE_ENDPOINT"
  if [ "$mode" = real ]; then
    publish ca_cert_hash "sha256:$(openssl x509 -pubkey -noout -in "$root/etc/kubernetes/pki/ca.crt" \
      | openssl pkey -pubin -outform der 2>/dev/null | sha256sum | cut -d' ' -f1)"
  else
    publish ca_cert_hash "sha256:dry"
  fi
else
  join_cluster --control-plane --certificate-key "${PAIPLAN_JOIN_CERTIFICATE_KEY:-}" \
    --apiserver-advertise-address "$NODE_IP"
fi
log "master bootstrap done (mode $mode)"
