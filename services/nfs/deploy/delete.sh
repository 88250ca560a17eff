#!/usr/bin/env bash
# Deletes nfs: removes the claim and the volume (files on the NFS server are kept: Retain).
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-nfs}"
kubectl -n "$NAMESPACE" delete --ignore-not-found --timeout="${READY_TIMEOUT}s" -f nfs-pvc.yaml -f nfs-pv.yaml
echo "$SERVICE: deleted (the exported files themselves are untouched)"
