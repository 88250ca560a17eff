#!/usr/bin/env bash
# Starts hadoop-resource-manager: applies its manifests, then waits until it is ready.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

start_service deployment/hadoop-resource-manager hadoop-resource-manager hadoop-resource-manager-configuration.yaml hadoop-resource-manager.yaml
