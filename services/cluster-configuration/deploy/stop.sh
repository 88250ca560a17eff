#!/usr/bin/env bash
# Stops cluster-configuration: removes its workloads and services, keeps persistent data.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-cluster-configuration}"
kubectl -n "$NAMESPACE" delete --ignore-not-found --timeout="${READY_TIMEOUT}s" -f cluster-info.yaml -f registry-secret.yaml
echo "$SERVICE: stopped"
