#!/usr/bin/env bash
# Refreshes spark: helm upgrade with the newly rendered values (pods roll when they changed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

echo "$SERVICE: upgrading the release with the new values"
exec bash ./start.sh
