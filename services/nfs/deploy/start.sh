#!/usr/bin/env bash
# Starts nfs: applies its manifests, then waits until it is ready.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

ensure_namespace
kube_apply nfs-pv.yaml nfs-pvc.yaml
wait_bound "$PVC_NAME"
echo "$SERVICE: started"
