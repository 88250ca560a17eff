#!/usr/bin/env bash
# Stops hadoop-data-node: removes its workloads and services, keeps persistent data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

stop_service hadoop-data-node.yaml hadoop-data-node-configuration.yaml
