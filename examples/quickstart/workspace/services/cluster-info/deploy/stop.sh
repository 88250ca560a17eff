#!/usr/bin/env bash
# Stop/delete: remove the ConfigMap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl delete --ignore-not-found -f cluster-info.yaml
