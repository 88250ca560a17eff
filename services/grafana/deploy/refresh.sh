#!/usr/bin/env bash
# Refreshes grafana: re-applies its manifests; restarts its pods when their configuration changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

refresh_service deployment/grafana grafana grafana-secret.yaml grafana-configuration.yaml -- grafana.yaml
