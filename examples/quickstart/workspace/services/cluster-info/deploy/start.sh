#!/usr/bin/env bash
# Start/refresh: apply the rendered ConfigMap. (--validate=false: the API test
# server has no OpenAPI endpoint for client-side validation.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl apply --validate=false -f cluster-info.yaml
