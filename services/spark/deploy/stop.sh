#!/usr/bin/env bash
# Stops spark: uninstalls the Helm release; its volume claims (the data) stay.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-spark}"

if helm status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
  helm uninstall "$RELEASE" -n "$NAMESPACE" --wait --timeout "${READY_TIMEOUT}s"
fi
echo "$SERVICE: stopped"
