#!/usr/bin/env bash
# Deletes yarn-frameworklauncher: stops it, then removes its persistent data too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

bash ./stop.sh
echo "$SERVICE: deleted"
