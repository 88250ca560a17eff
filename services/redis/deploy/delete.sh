#!/usr/bin/env bash
# Deletes redis: stops it, then removes its persistent data too.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-redis}"

bash ./stop.sh

kubectl -n "$NAMESPACE" delete --ignore-not-found -f redis-wipe.yaml
kubectl -n "$NAMESPACE" apply -f redis-wipe.yaml
if ! kubectl -n "$NAMESPACE" wait --for=condition=complete job/redis-wipe --timeout="${READY_TIMEOUT}s"; then
  echo "$SERVICE: wiping the data did not finish in ${READY_TIMEOUT}s" >&2
  diagnose redis-wipe
  exit 1
fi
kubectl -n "$NAMESPACE" delete --ignore-not-found -f redis-wipe.yaml
echo "$SERVICE: deleted"
