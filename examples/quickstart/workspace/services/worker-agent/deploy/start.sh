#!/usr/bin/env bash
# Start/refresh: apply the agent's settings and report which nodes carry the
# pai-worker label in Kubernetes (paiplan's label.* resources put it there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl apply --validate=false -f worker-agent.yaml
echo "nodes labelled pai-worker: $(kubectl get nodes -l pai-worker=true -o name | tr '\n' ' ')"
