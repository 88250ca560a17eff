#!/usr/bin/env bash
# Starts hdfs as a Helm release (upgrade --install: idempotent), then checks its pods are Ready.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-hdfs}"

# Prints what Kubernetes knows about the release's pods (for a failed wait).
diagnose() {
  echo "--- $SERVICE: diagnostics for $POD_SELECTOR in namespace $NAMESPACE ---" >&2
  helm status "$RELEASE" -n "$NAMESPACE" >&2 || true
  kubectl -n "$NAMESPACE" get pods -l "$POD_SELECTOR" -o wide >&2 || true
  kubectl -n "$NAMESPACE" describe pods -l "$POD_SELECTOR" >&2 || true
  kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
}

command -v helm >/dev/null || { echo "$SERVICE: helm is not installed on this machine" >&2; exit 1; }
# A chart directory relative to the workspace wins; otherwise CHART is a repo reference.
chart_ref="$CHART"
if [ -n "${PAIPLAN_WORKSPACE:-}" ] && [ -d "$PAIPLAN_WORKSPACE/$CHART" ]; then
  chart_ref="$PAIPLAN_WORKSPACE/$CHART"
fi
if ! helm upgrade --install "$RELEASE" "$chart_ref" -n "$NAMESPACE" --create-namespace \
    -f hdfs-values.yaml --wait --timeout "${READY_TIMEOUT}s"; then
  echo "$SERVICE: release $RELEASE is not ready after ${READY_TIMEOUT}s" >&2
  diagnose
  exit 1
fi
if ! kubectl -n "$NAMESPACE" wait --for=condition=Ready pod -l "$POD_SELECTOR" --timeout="${READY_TIMEOUT}s"; then
  echo "$SERVICE: pods of $RELEASE are not Ready after ${READY_TIMEOUT}s" >&2
  diagnose
  exit 1
fi
echo "$SERVICE: started"
