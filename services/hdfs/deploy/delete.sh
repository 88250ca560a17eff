#!/usr/bin/env bash
# Deletes hdfs: uninstalls the release and deletes its volume claims.
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-hdfs}"

bash ./stop.sh
kubectl -n "$NAMESPACE" delete pvc --ignore-not-found -l "$POD_SELECTOR" --timeout="${READY_TIMEOUT}s"
echo "$SERVICE: deleted"
