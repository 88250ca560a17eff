#!/usr/bin/env bash
# Starts yarn-frameworklauncher: applies its manifests, then waits until it is ready.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

start_service deployment/yarn-frameworklauncher yarn-frameworklauncher yarn-frameworklauncher-configuration.yaml yarn-frameworklauncher.yaml
