#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Runs on a healthy master, for another machine that is about to join
# (PAIPLAN_JOIN_FOR, PAIPLAN_JOIN_ROLE): mints a fresh bootstrap token (2 h)
# and, for a master, uploads the control-plane certificates again under a new
# certificate key (kubeadm deletes them after 2 h). Writes key=value lines to
# $PAIPLAN_OUTPUTS; paiplan hands them to the joining machine only, never
# records them, and deletes the file. Prints no secret.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
: "${PAIPLAN_OUTPUTS:?paiplan sets PAIPLAN_OUTPUTS}"
umask 077
if [ "$mode" = dry ]; then
  publish join_token "dryrun.$(printf '%s' "$PAIPLAN_JOIN_FOR" | sha256sum | cut -c1-16)"
  publish ca_cert_hash "sha256:dry"
  publish api_endpoint "$CONTROL_PLANE_ENDPOINT"
  [ "${PAIPLAN_JOIN_ROLE:-}" = master ] && publish certificate_key dry
  log "dry: join credentials for ${PAIPLAN_JOIN_FOR:-?}"
  exit 0
fi
joined || die "this master has not joined a cluster yet (no $root/etc/kubernetes/kubelet.conf)"
export KUBECONFIG="$root/etc/kubernetes/admin.conf"
token="$(kubeadm token create --ttl 2h --description "paiplan: join ${PAIPLAN_JOIN_FOR:-?}")"
[ -n "$token" ] || die "kubeadm token create printed no token"
publish join_token "$token"
publish ca_cert_hash "sha256:$(openssl x509 -pubkey -noout -in "$root/etc/kubernetes/pki/ca.crt" \
  | openssl pkey -pubin -outform der 2>/dev/null | sha256sum | cut -d' ' -f1)"
publish api_endpoint "$CONTROL_PLANE_ENDPOINT"
if [ "${PAIPLAN_JOIN_ROLE:-}" = master ]; then
  key="$(kubeadm init phase upload-certs --upload-certs 2>/dev/null | tail -n 1)"
  [ -n "$key" ] || die "kubeadm init phase upload-certs printed no certificate key"
  publish certificate_key "$key"
fi
log "minted join credentials for ${PAIPLAN_JOIN_FOR:-?} (${PAIPLAN_JOIN_ROLE:-worker})"
