#!/usr/bin/env bash
# Stops spark: uninstalls the Helm release; its volume claims (the data) stay.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

release_stop
