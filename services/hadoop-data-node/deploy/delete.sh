#!/usr/bin/env bash
# Deletes hadoop-data-node: stops it, then removes its persistent data too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

bash ./stop.sh
wipe_node_data hadoop-data-node-cleaner.yaml hadoop-data-node-cleaner
echo "$SERVICE: deleted"
