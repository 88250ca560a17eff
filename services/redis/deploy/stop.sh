#!/usr/bin/env bash
# Stops redis: removes its workloads and services, keeps persistent data.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-redis}"
kubectl -n "$NAMESPACE" delete --ignore-not-found --timeout="${READY_TIMEOUT}s" -f redis-svc.yaml -f redis-deploy.yaml -f redis-secret.yaml -f redis-config.yaml
echo "$SERVICE: stopped"
