#!/usr/bin/env bash
# Deletes hdfs: uninstalls the release and deletes its volume claims.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

bash ./stop.sh
kubectl -n "$NAMESPACE" delete pvc --ignore-not-found -l "$POD_SELECTOR" --timeout="${READY_TIMEOUT}s"
echo "$SERVICE: deleted"
