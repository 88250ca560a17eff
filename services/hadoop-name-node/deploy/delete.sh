#!/usr/bin/env bash
# Deletes hadoop-name-node: stops it, then removes its persistent data too.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-hadoop-name-node}"

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

bash ./stop.sh

# The data directory lives on the nodes (hostPath): a short-lived DaemonSet,
# scheduled like the service itself, empties it on every node.
case "${DATA_PATH:-}" in
  "" | / | /. | /..) echo "$SERVICE: refusing to wipe data path '${DATA_PATH:-}'" >&2; exit 1 ;;
esac
kubectl -n "$NAMESPACE" apply -f hadoop-name-node-cleaner.yaml
wait_rollout daemonset/hadoop-name-node-cleaner hadoop-name-node-cleaner
kubectl -n "$NAMESPACE" delete --ignore-not-found -f hadoop-name-node-cleaner.yaml
echo "$SERVICE: deleted"
