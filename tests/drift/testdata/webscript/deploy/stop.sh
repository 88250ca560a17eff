#!/usr/bin/env bash
# Removes the scripted service's objects.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
kubectl delete --ignore-not-found -f webs.yaml
