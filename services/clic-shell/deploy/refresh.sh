#!/usr/bin/env bash
# Refreshes clic-shell: updates its config; a Pod cannot be changed in place, so it is replaced when its spec or config changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

ensure_namespace
# A pod's spec cannot change in place, and it reads its configuration only at
# start: when either changed, the pod is created again.
if kube_changed master-info-config.yaml clic-shell.yaml; then
  kubectl -n "$NAMESPACE" delete --ignore-not-found -f clic-shell.yaml
  kube_apply master-info-config.yaml clic-shell.yaml
fi
wait_pod_ready clic-shell clic-shell
echo "$SERVICE: refreshed"
