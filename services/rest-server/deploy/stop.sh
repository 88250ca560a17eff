#!/usr/bin/env bash
# Stops rest-server: removes its workloads and services, keeps persistent data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

stop_service rest-server.yaml rest-server-secret.yaml
