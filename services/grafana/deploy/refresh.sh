#!/usr/bin/env bash
# Refreshes grafana: re-applies its manifests; restarts its pods when their configuration changed.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-grafana}"

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

kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 || kubectl create namespace "$NAMESPACE"
changed=0
config_files=(grafana-secret.yaml grafana-configuration.yaml)
for f in "${config_files[@]}"; do
  out="$(kubectl -n "$NAMESPACE" apply -f "$f")"
  echo "$out"
  case "$out" in *unchanged*) ;; *) changed=1 ;; esac
done
kubectl -n "$NAMESPACE" apply -f grafana.yaml
if [ "$changed" = 1 ]; then
  echo "$SERVICE: configuration changed, restarting"
  kubectl -n "$NAMESPACE" rollout restart deployment/grafana
fi
wait_rollout deployment/grafana grafana
echo "$SERVICE: refreshed (configuration changed: $changed)"
