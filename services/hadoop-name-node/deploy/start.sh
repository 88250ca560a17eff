#!/usr/bin/env bash
# Starts hadoop-name-node: applies its manifests, then waits until it is ready.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

start_service deployment/hadoop-name-node hadoop-name-node hadoop-name-node-configuration.yaml hadoop-name-node.yaml
