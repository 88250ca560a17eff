#!/usr/bin/env bash
# Stops yarn-frameworklauncher: removes its workloads and services, keeps persistent data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

stop_service yarn-frameworklauncher.yaml yarn-frameworklauncher-configuration.yaml
