#!/usr/bin/env bash
# Applies the scripted service's objects with the real kubectl (KUBECONFIG set by paiplan).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl apply --server-side --field-manager=webs-scripts --force-conflicts -f webs.yaml
kubectl rollout status deployment/webs --timeout=20s
echo "${PAIPLAN_ACTION:-start} done" >> "$PAIPLAN_WORKSPACE/webs-actions.log"
