#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Runs on a remaining master after another master (its Node name in
# PAIPLAN_LEAVE_FOR) was cleaned or is being repaired: makes sure that member
# left etcd. `kubeadm reset -f` on the removed master removes its member when
# it can reach etcd; when it could not (etcd unhealthy, the machine half
# broken), the member would stay, etcd would count it in its quorum and a
# master joining under that name would fail. Removes it through this master's
# etcd pod. Idempotent: a member no longer listed is left alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
: "${PAIPLAN_LEAVE_FOR:?paiplan sets PAIPLAN_LEAVE_FOR}"
if [ "$mode" = dry ]; then
  log "dry: would remove etcd member $PAIPLAN_LEAVE_FOR if it is still listed"
  exit 0
fi
if ! joined; then
  log "this master left the cluster too: no etcd member to remove"
  exit 0
fi
export KUBECONFIG="$root/etc/kubernetes/admin.conf"
# etcdctl inside this master's etcd static pod, with the pod's own certificates.
etcdctl_here() {
  kubectl -n kube-system exec "etcd-$NODE_NAME" -- etcdctl --endpoints=https://127.0.0.1:2379 \
    --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt \
    --key=/etc/kubernetes/pki/etcd/server.key "$@"
}
members="$(etcdctl_here member list)" || die "cannot list the etcd members through etcd-$NODE_NAME"
# member list: ID, STATUS, NAME, PEER ADDRS, CLIENT ADDRS, IS LEARNER
id="$(printf '%s\n' "$members" | awk -F', ' -v n="$PAIPLAN_LEAVE_FOR" '$3 == n { print $1 }')"
if [ -z "$id" ]; then
  log "etcd member $PAIPLAN_LEAVE_FOR already left (kubeadm reset removed it)"
  exit 0
fi
etcdctl_here member remove "$id" > /dev/null || die "etcdctl member remove $id ($PAIPLAN_LEAVE_FOR) failed"
log "removed etcd member $PAIPLAN_LEAVE_FOR ($id)"
