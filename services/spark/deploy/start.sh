#!/usr/bin/env bash
# Starts spark as a Helm release (upgrade --install: idempotent), then checks its pods are Ready.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

release_start spark-values.yaml
