#!/usr/bin/env bash
# Stops nfs: nothing to stop; the volume and its claim are data and stay until delete.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

echo "$SERVICE: volume and claim kept (use delete to remove them)"
