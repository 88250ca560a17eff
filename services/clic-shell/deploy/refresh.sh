#!/usr/bin/env bash
# Refreshes clic-shell: updates its config; a Pod cannot be changed in place, so it is replaced when its spec or config changed.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-clic-shell}"

# Prints what Kubernetes knows about the pods labelled app=$1 (for a failed wait).
diagnose() {
  echo "--- $SERVICE: diagnostics for app=$1 in namespace $NAMESPACE ---" >&2
  kubectl -n "$NAMESPACE" get pods -l "app=$1" -o wide >&2 || true
  kubectl -n "$NAMESPACE" describe pods -l "app=$1" >&2 || true
  kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
}

# wait_rollout KIND/NAME APP: waits up to READY_TIMEOUT seconds for a rollout.
wait_rollout() {
  if ! kubectl -n "$NAMESPACE" rollout status "$1" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: $1 is not ready after ${READY_TIMEOUT}s" >&2
    diagnose "$2"
    exit 1
  fi
}

out="$(kubectl -n "$NAMESPACE" apply -f master-info-config.yaml)"
echo "$out"
if [[ "$out" != *unchanged* ]] || ! kubectl -n "$NAMESPACE" apply -f clic-shell.yaml; then
  kubectl -n "$NAMESPACE" replace --force -f clic-shell.yaml
fi
if ! kubectl -n "$NAMESPACE" wait --for=condition=Ready pod/clic-shell --timeout="${READY_TIMEOUT}s"; then
  echo "$SERVICE: pod clic-shell is not Ready after ${READY_TIMEOUT}s" >&2
  diagnose clic-shell
  exit 1
fi
echo "$SERVICE: refreshed"
